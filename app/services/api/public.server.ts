// The unauthenticated parts of /api/v1: the OpenAPI document, and a JSON 404 for paths that are not endpoints
// (instead of the admin's HTML error page).
import spec from "../../../docs/api/openapi.json";
import { publicEndpoint, type ApiHandler, type RequestContext } from "./endpoint.server";
import { errorResponse } from "./errors";
import { API_BASE_PATH } from "./responses";

export const openApiDocument = publicEndpoint({
  GET: () => Response.json(spec, { headers: { "cache-control": "public, max-age=300" } }),
});

const notFound: ApiHandler<RequestContext> = ({ url }) =>
  errorResponse(404, "not_found", `${url.pathname} is not an API endpoint. See ${API_BASE_PATH}/openapi.json for the list.`);

export const apiNotFound = publicEndpoint({ GET: notFound, POST: notFound, PUT: notFound, PATCH: notFound, DELETE: notFound });
