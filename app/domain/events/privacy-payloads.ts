// The customers/data_request payload, validated at the edge like the other webhook payloads
// (app/domain/shopify/webhook-payloads.ts). Ids arrive as numbers or, above 2^53, as exact strings (safe-json.ts).
import { z } from "zod";

const id = z.union([z.string(), z.number()]).transform((v) => String(v));

export const DataRequestPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id, email: z.string().nullish(), phone: z.string().nullish() }),
  orders_requested: z.array(id).default([]),
  data_request: z.object({ id }),
});
export type DataRequestPayload = z.infer<typeof DataRequestPayload>;
