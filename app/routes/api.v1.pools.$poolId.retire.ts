import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { poolRetire } from "../services/api/pools.server";

// POST /api/v1/pools/:poolId/retire: retire unused codes.
export const loader = (args: LoaderFunctionArgs) => poolRetire.handle(args);
export const action = (args: ActionFunctionArgs) => poolRetire.handle(args);
