// The Promo Codes web pixel: product and collection views, adds to cart and completed checkouts, sent in small
// batches to the app (settings.endpoint) with the shop, the event id, the clientId, the time and, when known, the
// customer id. The app links the anonymous clientId to the customer once one is known, so earlier views count.
import { register } from "@shopify/web-pixels-extension";
import { EventBatcher, outcomeOfStatus } from "./batcher";
import { projectEvent, type SubscribedEvent } from "./project";

const STORAGE_KEY = "promo-pixel:pending";

register(({ analytics, browser, init, settings }) => {
  const endpoint = typeof settings.endpoint === "string" ? settings.endpoint : "";
  const accountId = typeof settings.accountID === "string" ? settings.accountID : "";
  // Activated without settings (by hand, or a half-finished install): there is nowhere to send to.
  if (!endpoint || !accountId) return;

  const batcher = new EventBatcher({
    shop: init.data.shop.myshopifyDomain,
    accountId,
    async send(body) {
      // text/plain keeps it a CORS simple request (no preflight); keepalive lets it outlive the page.
      const response = await fetch(endpoint, {
        method: "POST",
        body,
        keepalive: true,
        credentials: "omit",
        headers: { "content-type": "text/plain;charset=UTF-8" },
      });
      return outcomeOfStatus(response.status);
    },
    schedule(run, ms) {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    },
    storage: {
      load: () => browser.localStorage.getItem(STORAGE_KEY),
      save: async (value) => {
        if (value === null) await browser.localStorage.removeItem(STORAGE_KEY);
        else await browser.localStorage.setItem(STORAGE_KEY, value);
      },
    },
  });

  const customerId = init.data.customer?.id ?? null;
  const onEvent = (event: SubscribedEvent) => {
    const wire = projectEvent(event, customerId);
    if (wire) batcher.add(wire);
  };
  analytics.subscribe("product_viewed", onEvent);
  analytics.subscribe("collection_viewed", onEvent);
  analytics.subscribe("product_added_to_cart", onEvent);
  analytics.subscribe("checkout_completed", onEvent);

  // Where the sandbox does see the page lifecycle (lax contexts), flush as the page is hidden. In the strict
  // worker these never fire; the localStorage carry-over in the batcher covers that case instead.
  const scope = globalThis as { addEventListener?: (type: string, listener: () => void) => void };
  scope.addEventListener?.("pagehide", () => void batcher.flush());
  scope.addEventListener?.("visibilitychange", () => void batcher.flush());

  void batcher.restore();
});
