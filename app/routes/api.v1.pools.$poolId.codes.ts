import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { poolCodes } from "../services/api/uploads.server";

// POST /api/v1/pools/:poolId/codes: upload codes (CSV, text, .xlsx, JSON, multipart) and get the per-line report.
export const loader = (args: LoaderFunctionArgs) => poolCodes.handle(args);
export const action = (args: ActionFunctionArgs) => poolCodes.handle(args);
