import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { handlePixelRequest } from "../services/pixel/endpoint.server";

// The storefront web pixel's batches (extensions/promo-pixel); stored here, processed by
// app/jobs/processors/events.server.ts. OPTIONS and POST reach the action; a GET is told what the endpoint takes.
export const action = ({ request, context }: ActionFunctionArgs) => handlePixelRequest(request, { clientAddress: context?.clientAddress });
export const loader = ({ request }: LoaderFunctionArgs) => handlePixelRequest(request);
