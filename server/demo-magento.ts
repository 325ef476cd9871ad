// The demo's Magento merchant: a store in the Magento simulator, a Magento shop connected to it, and the merchant's
// own account, so `npm run demo` shows the sign-in Magento merchants use (Shopify's demo shop is signed in by
// ?shop=). Safe to run on every start: the demo keeps its database in .demo/ across runs, the simulator does not.
import type { Stack } from "./stack";

export const DEMO_MAGENTO = {
  storeName: "Demo Magento store",
  email: "merchant@magento-demo.test",
  /** Printed by the demo: a local demo account, never a real one. */
  password: "magento demo password",
  baseUrl: "https://magento-demo.test",
  token: "demo-magento-integration-token",
} as const;

export async function seedDemoMagentoMerchant(stack: Stack): Promise<{ shopId: string }> {
  stack.magento.registerStore({ baseUrl: DEMO_MAGENTO.baseUrl, token: DEMO_MAGENTO.token, name: DEMO_MAGENTO.storeName, currency: "EUR" });
  const { prisma } = await import("../app/db.server");
  const { forShop } = await import("../app/db/shop-scope.server");
  const { signUp } = await import("../app/services/merchant-accounts.server");
  const { saveMagentoConnection } = await import("../app/services/platform-connections.server");

  let shopId = (await prisma.merchantAccount.findUnique({ where: { email: DEMO_MAGENTO.email }, select: { shopId: true } }))?.shopId;
  if (!shopId) {
    const created = await signUp({ storeName: DEMO_MAGENTO.storeName, email: DEMO_MAGENTO.email, password: DEMO_MAGENTO.password });
    if (created.type !== "created") throw new Error(`the demo Magento merchant could not sign up: ${JSON.stringify(created)}`);
    shopId = created.shopId;
  }
  if (!(await prisma.platformConnection.findUnique({ where: { shopId }, select: { id: true } }))) {
    const saved = await saveMagentoConnection(forShop(shopId), shopId, {
      baseUrl: DEMO_MAGENTO.baseUrl,
      storeCode: "default",
      token: DEMO_MAGENTO.token,
      websiteIds: "1",
      customerGroupIds: "0, 1",
    });
    if (saved.type !== "saved") throw new Error(`the demo Magento store could not be connected: ${JSON.stringify(saved)}`);
  }
  return { shopId };
}
