import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { openApiDocument } from "../services/api/public.server";

// GET /api/v1/openapi.json: the API description (docs/api/openapi.json), no key needed.
export const loader = (args: LoaderFunctionArgs) => openApiDocument.handle(args);
export const action = (args: ActionFunctionArgs) => openApiDocument.handle(args);
