/**
 * The app's web pixel. Shopify allows one pixel per app per shop and stores
 * its settings as a JSON document that must match the extension's settings
 * definition; here any JSON object is accepted.
 */
import { gid, idOf } from "../ids";
import type { ShopStore, WebPixelRecord } from "../store";
import type { View } from "./context";

export function webPixelView(pixel: WebPixelRecord): View {
  return { __typename: "WebPixel", id: gid("WebPixel", pixel.id), settings: pixel.settings };
}

/** Normalises the `settings` JSON input to the stored string, or explains why it can't. */
function settingsText(settings: unknown): string | undefined {
  let value = settings;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return JSON.stringify(value);
}

const invalidSettings = {
  field: ["webPixel", "settings"],
  message: "Settings are invalid: expected a JSON object.",
  code: "INVALID_SETTINGS",
};
const notFound = { field: ["id"], message: "Web pixel not found.", code: "NOT_FOUND" };

export function pixelQueryFields(store: ShopStore): View {
  return {
    webPixel: (args: { id?: string | null }) => {
      const pixel = args.id ? store.webPixels.get(idOf(args.id, "WebPixel") ?? "") : [...store.webPixels.values()][0];
      return pixel ? webPixelView(pixel) : null;
    },
  };
}

export function pixelMutationFields(store: ShopStore): View {
  return {
    webPixelCreate: (args: { webPixel: { settings: unknown } }) => {
      if (store.webPixels.size > 0) {
        return { webPixel: null, userErrors: [{ field: ["webPixel"], message: "Web pixel is taken.", code: "TAKEN" }] };
      }
      const settings = settingsText(args.webPixel.settings);
      if (settings === undefined) return { webPixel: null, userErrors: [invalidSettings] };
      const pixel: WebPixelRecord = { id: store.ids.next(), settings };
      store.webPixels.set(pixel.id, pixel);
      return { webPixel: webPixelView(pixel), userErrors: [] };
    },
    webPixelUpdate: (args: { id: string; webPixel: { settings: unknown } }) => {
      const pixel = store.webPixels.get(idOf(args.id, "WebPixel") ?? "");
      if (!pixel) return { webPixel: null, userErrors: [notFound] };
      const settings = settingsText(args.webPixel.settings);
      if (settings === undefined) return { webPixel: null, userErrors: [invalidSettings] };
      pixel.settings = settings;
      return { webPixel: webPixelView(pixel), userErrors: [] };
    },
    webPixelDelete: (args: { id: string }) => {
      const id = idOf(args.id, "WebPixel") ?? "";
      if (!store.webPixels.delete(id)) return { deletedWebPixelId: null, userErrors: [notFound] };
      return { deletedWebPixelId: gid("WebPixel", id), userErrors: [] };
    },
  };
}
