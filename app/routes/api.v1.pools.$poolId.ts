import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { poolResource } from "../services/api/pools.server";

// GET /api/v1/pools/:poolId: one pool with its stock and the last 30 days of issues.
export const loader = (args: LoaderFunctionArgs) => poolResource.handle(args);
export const action = (args: ActionFunctionArgs) => poolResource.handle(args);
