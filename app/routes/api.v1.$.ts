import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { apiNotFound } from "../services/api/public.server";

// Any other /api/v1 path: a JSON 404 rather than the admin's HTML error page.
export const loader = (args: LoaderFunctionArgs) => apiNotFound.handle(args);
export const action = (args: ActionFunctionArgs) => apiNotFound.handle(args);
