// How close the Admin client's pacing gets to the store's restore rate: a burst of queries against a Standard
// plan bucket (restore 100 points/s) that starts nearly empty. Baseline: the theoretical maximum, restore rate /
// measured cost per query. Also counts THROTTLED answers (goal 0: the pacer never sends blind).
import { randomUUID } from "node:crypto";
import { simulatedAdminFetch } from "../lib/simulated-admin";

export async function run(log: (line: string) => void) {
  const { ShopifySimulator, setupFetchOnlyServer, shopifyAdminHandlers } = await import("../../simulator/shopify");
  const simulator = new ShopifySimulator();
  const msw = setupFetchOnlyServer(...shopifyAdminHandlers(simulator));
  msw.listen({ onUnhandledFrame: "bypass" });
  const { ShopifyAdminClient } = await import("../../app/platforms/shopify/admin-client.server");
  const { SHOP_DETAILS } = await import("../../app/platforms/shopify/documents/shop");
  const domain = `bench-${randomUUID().slice(0, 8)}.myshopify.com`;
  const accessToken = "shpat_bench";
  simulator.registerShop({ domain, accessToken, plan: "standard" });
  const admin = new ShopifyAdminClient(domain, simulatedAdminFetch(domain, accessToken));
  simulator.setAvailablePoints(domain, 0);
  const requests = 400;
  const started = performance.now();
  await Promise.all(Array.from({ length: requests }, () => admin.request(SHOP_DETAILS)));
  const seconds = (performance.now() - started) / 1000;
  const log_ = simulator.requestLog.filter((e) => e.shop === domain);
  const costPerQuery = log_.find((e) => e.actualCost !== null)?.actualCost ?? 1;
  const restoreRate = simulator.throttleStatus(domain).restoreRate;
  const theoreticalPerSec = restoreRate / costPerQuery;
  const queriesPerSec = requests / seconds;
  msw.close();
  log(`${requests} queries in ${seconds.toFixed(2)} s`);
  return {
    requests,
    queriesPerSec: Number(queriesPerSec.toFixed(1)),
    theoreticalPerSec: Number(theoreticalPerSec.toFixed(1)),
    ratio: Number((queriesPerSec / theoreticalPerSec).toFixed(3)),
    throttledResponses: log_.filter((e) => e.errorCodes.includes("THROTTLED")).length,
  };
}
