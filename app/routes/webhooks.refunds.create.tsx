import type { ActionFunctionArgs } from "react-router";
import { handleWebhook } from "../services/webhook-route.server";

// Subscribed in shopify.app.toml; stored here, processed by app/jobs/processors/process-webhook.server.ts.
export const action = ({ request }: ActionFunctionArgs) => handleWebhook(request, "refunds/create");
