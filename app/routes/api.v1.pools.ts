import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { poolsCollection } from "../services/api/pools.server";

// GET, POST /api/v1/pools: list pools with their stock, create a static pool.
export const loader = (args: LoaderFunctionArgs) => poolsCollection.handle(args);
export const action = (args: ActionFunctionArgs) => poolsCollection.handle(args);
