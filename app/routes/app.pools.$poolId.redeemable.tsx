// Making a static pool's codes redeemable at checkout, for the pool page's "Redeemable at checkout" card:
// - GET: the store's discounts to choose from (Shopify code discounts, Magento sales rules), and how many of the
//   pool's codes are on one already.
// - POST: adds the pool's codes still missing to the chosen discount, as a queued run (250 codes a call) that the
//   card follows like an upload: progress, then the codes the platform refused and why.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { enqueue } from "../jobs/enqueue.server";
import { jobId } from "../jobs/queues";
import { markImportFailed } from "../services/pools/admin-queries.server";
import { redeemableTargets, startRedeemableSync } from "../services/pools/redeemable.server";

export type RedeemableStartAnswer =
  | { type: "started"; importId: string; codes: number }
  | { type: "refused"; message: string };

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const targets = await redeemableTargets(admin.db, params.poolId ?? "");
  return Response.json(targets, { status: targets.type === "pool_not_found" ? 404 : 200, headers: { "cache-control": "no-store" } });
};

export const action = async ({ request, params }: ActionFunctionArgs): Promise<RedeemableStartAnswer> => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const discountId = String(form.get("discountId") ?? "").trim();
  if (!discountId || discountId.length > 255) return { type: "refused", message: "Choose the discount to add the codes to." };
  const started = await startRedeemableSync(admin.db, { shopId: admin.shopId, poolId: params.poolId ?? "", discountId });
  if (started.type === "pool_not_found") return { type: "refused", message: "This pool no longer exists, or its codes are created on the store already." };
  if (started.type === "nothing_to_add") return { type: "refused", message: "Every code of this pool that can still be used is on the discount already." };
  try {
    await enqueue("pools", "syncRedeemable", { shopId: admin.shopId, importId: started.importId }, { jobId: jobId("redeemable", started.importId) });
  } catch {
    await markImportFailed(admin.db, started.importId, "The run could not be queued.");
    return { type: "refused", message: "The codes could not be queued for the discount right now. Try again in a moment." };
  }
  return { type: "started", importId: started.importId, codes: started.codes };
};
