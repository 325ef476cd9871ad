// Making a static pool's codes redeemable at checkout, for the pool page's "Redeemable at checkout" card:
// - GET: the store's discounts to choose from (Shopify code discounts, Magento sales rules), and how many of the
//   pool's codes are on one already.
// - POST: adds the pool's codes still missing to the chosen discount, as a queued run (250 codes a call) that the
//   card follows like an upload: progress, then the codes the platform refused and why.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { queueRedeemableSync, redeemableTargets, type RedeemableStartAnswer } from "../services/pools/redeemable.server";

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
  return queueRedeemableSync(admin.db, { shopId: admin.shopId, poolId: params.poolId ?? "", discountId });
};
