import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { poolExport } from "../services/api/pools.server";

// GET /api/v1/pools/:poolId/export.csv: the codes given out, as spreadsheet-safe CSV, streamed.
export const loader = (args: LoaderFunctionArgs) => poolExport.handle(args);
export const action = (args: ActionFunctionArgs) => poolExport.handle(args);
