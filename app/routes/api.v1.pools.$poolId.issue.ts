import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { poolIssue } from "../services/api/issue.server";

// POST /api/v1/pools/:poolId/issue: issue (or reissue) a code to a customer, idempotently.
export const loader = (args: LoaderFunctionArgs) => poolIssue.handle(args);
export const action = (args: ActionFunctionArgs) => poolIssue.handle(args);
