import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { importResource } from "../services/api/imports.server";

// GET /api/v1/imports/:importId: an upload's progress and report.
export const loader = (args: LoaderFunctionArgs) => importResource.handle(args);
export const action = (args: ActionFunctionArgs) => importResource.handle(args);
