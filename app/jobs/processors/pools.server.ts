import { systemMailer } from "../../channels/email/mailer.server";
import { forShop } from "../../db/shop-scope.server";
import { env } from "../../env.server";
import { platformFor } from "../../platforms/index.server";
import { getImport, runGeneration } from "../../services/pools/imports.server";
import { runRedeemableSync } from "../../services/pools/redeemable.server";
import { platformShopOf } from "../../services/shops.server";
import { requestStockCheck } from "../../services/pools/stock-check.server";
import { checkPoolStock, expireCodes } from "../../services/pools/stock.server";
import type { JobPayload } from "../queues";

export async function processGenerate(payload: JobPayload<"pools", "generate">) {
  const db = forShop(payload.shopId);
  const result = await runGeneration(db, payload.shopId, payload.importId);
  const run = await getImport(db, payload.importId);
  if (run) requestStockCheck(payload.shopId, run.poolId);
  return result;
}

export async function processCheckStock(payload: JobPayload<"pools", "checkStock">) {
  return checkPoolStock(forShop(payload.shopId), payload.shopId, payload.poolId, {
    mailer: systemMailer(),
    appUrl: env().SHOPIFY_APP_URL,
  });
}

export async function processExpireCodes(payload: JobPayload<"pools", "expireCodes">) {
  return { expired: await expireCodes(forShop(payload.shopId), payload.shopId) };
}

export async function processSyncRedeemable(payload: JobPayload<"pools", "syncRedeemable">) {
  const db = forShop(payload.shopId);
  return runRedeemableSync(db, payload.importId, await platformFor(await platformShopOf(db)));
}
