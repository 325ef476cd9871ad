// Activates the app's web pixel on a shop: webPixelUpdate when we know its id, webPixelCreate otherwise, and the
// id stored in shops.web_pixel_id. Safe to repeat: a create whose response was lost answers TAKEN on retry, and
// the existing pixel is looked up and updated instead. Runs in the worker (pixels/activate), never inside
// the install request, so a Shopify hiccup cannot break an install.
import type { ShopDb } from "../../db/shop-scope.server";
import { env } from "../../env.server";
import type { ShopifyAdminClient } from "../../platforms/shopify/admin-client.server";
import {
  CURRENT_WEB_PIXEL,
  WEB_PIXEL_CREATE,
  WEB_PIXEL_UPDATE,
  type WebPixelShape,
  type WebPixelUserError,
} from "../../platforms/shopify/documents/pixel";
import { canActivatePixel, pixelShopOf, recordWebPixel } from "../shops.server";

/** What the pixel needs to know (extensions/promo-pixel/shopify.extension.toml declares the same fields). */
export interface PixelSettings {
  accountID: string;
  endpoint: string;
}

export type ActivationResult =
  | { type: "created" | "updated"; webPixelId: string }
  | { type: "skipped"; reason: string }
  /** Shopify refused the settings or the extension is not deployed: retrying the same call cannot help. */
  | { type: "refused"; message: string; codes: string[] };

export function pixelSettingsFor(shopId: string, appUrl = env().SHOPIFY_APP_URL): PixelSettings {
  return { accountID: shopId, endpoint: new URL("/pixel/events", appUrl).toString() };
}

export async function activatePixel(db: ShopDb, admin: Pick<ShopifyAdminClient, "request">): Promise<ActivationResult> {
  const shop = await pixelShopOf(db);
  if (!canActivatePixel(shop)) return { type: "skipped", reason: "not an installed Shopify shop with write_pixels" };
  const settings = JSON.stringify(pixelSettingsFor(shop.id));

  if (shop.webPixelId) {
    const updated = await update(admin, shop.webPixelId, settings);
    if (updated.type !== "not_found") return settle(db, updated, "updated");
  }
  const { webPixelCreate } = await admin.request(WEB_PIXEL_CREATE, { settings });
  if (webPixelCreate.webPixel) return settle(db, { type: "ok", pixel: webPixelCreate.webPixel }, "created");
  if (!webPixelCreate.userErrors.some((e) => e.code === "TAKEN")) return refused(webPixelCreate.userErrors);

  const { webPixel } = await admin.request(CURRENT_WEB_PIXEL);
  if (!webPixel)
    return { type: "refused", message: "Shopify says the pixel exists but does not return it", codes: ["TAKEN"] };
  return settle(db, await update(admin, webPixel.id, settings), "updated");
}

type UpdateOutcome =
  { type: "ok"; pixel: WebPixelShape } | { type: "not_found" } | { type: "errors"; errors: WebPixelUserError[] };

async function update(
  admin: Pick<ShopifyAdminClient, "request">,
  id: string,
  settings: string,
): Promise<UpdateOutcome> {
  const { webPixelUpdate } = await admin.request(WEB_PIXEL_UPDATE, { id, settings });
  if (webPixelUpdate.webPixel) return { type: "ok", pixel: webPixelUpdate.webPixel };
  // The pixel went away with an uninstall, or by hand: create a new one.
  if (webPixelUpdate.userErrors.some((e) => e.code === "NOT_FOUND")) return { type: "not_found" };
  return { type: "errors", errors: webPixelUpdate.userErrors };
}

async function settle(db: ShopDb, outcome: UpdateOutcome, type: "created" | "updated"): Promise<ActivationResult> {
  if (outcome.type === "errors") return refused(outcome.errors);
  if (outcome.type === "not_found")
    return { type: "refused", message: "The web pixel was not found", codes: ["NOT_FOUND"] };
  await recordWebPixel(db, outcome.pixel.id);
  return { type, webPixelId: outcome.pixel.id };
}

function refused(errors: WebPixelUserError[]): ActivationResult {
  return {
    type: "refused",
    message: errors.map((e) => e.message).join("; ") || "Shopify refused the web pixel",
    codes: errors.map((e) => e.code ?? "UNKNOWN"),
  };
}
