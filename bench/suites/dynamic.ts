// Dynamic codes against the store's rate limit: 2,000 customers each get a code created on the store through the
// real path (issueCode → dynamic service → Shopify adapter → Admin client with its cost pacer → the store simulator
// behind msw, in real time), on the machine's PostgreSQL. The store is on the Standard plan (bucket 1,000 points,
// restoring 100/s) and starts empty, so the run can go no faster than the restore rate.
//
// Baseline, from the same run: the theoretical maximum, restore rate / cost of one create (as the responses'
// extensions.cost reported it). Goal: ratio >= 0.9, no failed issue, no THROTTLED error reaching the caller, no
// duplicate, counted afterwards from the simulator's discounts and from the database (not from the issuers' tallies).
import { randomUUID } from "node:crypto";
import { BENCH_DATABASE_URL, ensureBenchDatabase, setBenchEnv } from "../lib/bench-env";

const CODES = 2_000;
const CONCURRENCY = 64;

export async function run(log: (line: string) => void) {
  setBenchEnv(BENCH_DATABASE_URL);
  await ensureBenchDatabase(BENCH_DATABASE_URL);

  // The simulator listens before anything imports @shopify/shopify-api (it captures fetch at import).
  const { ShopifySimulator, setupFetchOnlyServer, shopifyAdminHandlers, gid } = await import("../../simulator/shopify");
  const simulator = new ShopifySimulator();
  const msw = setupFetchOnlyServer(...shopifyAdminHandlers(simulator));
  msw.listen({ onUnhandledFrame: "bypass" });

  const { prisma } = await import("../../app/db.server");
  const { forShop } = await import("../../app/db/shop-scope.server");
  const { ThrottledError } = await import("../../app/platforms/errors");
  const { platformFor } = await import("../../app/platforms/index.server");
  const { createPool } = await import("../../app/services/pools/pools.server");
  const { issueCode } = await import("../../app/services/pools/issue.server");
  const { redactShop } = await import("../../app/services/privacy.server");

  const domain = `bench-dyn-${randomUUID().slice(0, 8)}.myshopify.com`;
  const accessToken = `shpat_${randomUUID().replaceAll("-", "")}`;
  const store = simulator.registerShop({ domain, accessToken, plan: "standard" });
  const shop = await prisma.shop.create({ data: { domain, platform: "SHOPIFY", name: "Dynamic bench" } });
  await prisma.session.create({
    data: { id: `offline_${domain}`, shop: domain, state: "installed", isOnline: false, accessToken, scope: "write_discounts,read_customers" },
  });
  const db = forShop(shop.id);
  const simCustomers = Array.from({ length: CODES }, (_, i) => store.addCustomer({ email: `bench${i}@example.com` }));
  const customers = await db.customer.createManyAndReturn({
    data: simCustomers.map((c) => ({ shopId: shop.id, platformId: gid("Customer", c.id), email: c.email })),
    select: { id: true },
  });
  const created = await createPool(db, shop.id, {
    name: "Bench dynamic",
    kind: "DYNAMIC",
    dynamic: { value: { type: "percentage", percent: 15 }, expiry: { type: "after", amount: 30, unit: "days" } },
  });
  if (created.type !== "saved") throw new Error(`pool not created: ${created.type}`);
  const poolId = created.pool.id;

  // An empty bucket, and an answer that tells the client so: the measured run starts from (almost) zero points.
  // The first lookup also loads the Shopify library and the session, which takes a while; the bucket is emptied
  // again after it, and the second lookup (answered THROTTLED, then waited out) brings the client up to date.
  const platform = await platformFor({ id: shop.id, domain, platform: "SHOPIFY" });
  await platform.findCode("WARM-UP");
  simulator.setAvailablePoints(domain, 0);
  await platform.findCode("WARM-UP-2");
  const warmUpEntries = simulator.requestLog.length;

  // What the bucket holds as the clock starts: reported, so a ratio a little over 1 is explained by the points the
  // run started with, not by a faster-than-possible pace.
  const startPoints = simulator.throttleStatus(domain).currentlyAvailable;
  let failed = 0;
  let throttledSurfaced = 0;
  const failures = new Map<string, number>();
  const examples: string[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  const progress = setInterval(() => log(`${done} / ${CODES} codes after ${((performance.now() - started) / 1000).toFixed(0)} s`), 20_000);
  const worker = async () => {
    for (let i = next++; i < CODES; i = next++) {
      try {
        const result = await issueCode(db, { shopId: shop.id, poolId, customerId: customers[i]!.id, idempotencyKey: `bench-${i}`, source: "bench" });
        if (result.type !== "issued") {
          failed += 1;
          failures.set(result.type, (failures.get(result.type) ?? 0) + 1);
        }
      } catch (error) {
        failed += 1;
        if (error instanceof ThrottledError) throttledSurfaced += 1;
        const name = error instanceof Error ? error.name : "error";
        failures.set(name, (failures.get(name) ?? 0) + 1);
        if (examples.length < 3) examples.push(error instanceof Error ? error.message : String(error));
      }
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(progress);

  // Counted afterwards, from both sides.
  const measured = simulator.requestLog.slice(warmUpEntries).filter((e) => e.shop === domain);
  const creates = measured.filter((e) => e.executed && e.rootFields.includes("discountCodeBasicCreate"));
  const costPerCreate = creates.reduce((sum, e) => sum + (e.actualCost ?? 0), 0) / Math.max(1, creates.length);
  const restoreRate = simulator.throttleStatus(domain).restoreRate;
  const theoreticalPerSec = restoreRate / costPerCreate;
  const codesPerSec = CODES / seconds;

  const platformDiscounts = [...store.discounts.values()];
  const platformCustomers = new Set(platformDiscounts.flatMap((d) => (d.context.kind === "customers" ? d.context.customerIds : [])));
  const dbCodes = await db.code.findMany({ where: { poolId }, select: { code: true, status: true, customerId: true, platformRef: true } });
  const dbCustomers = new Set(dbCodes.map((c) => c.customerId));
  const dbRefs = new Set(dbCodes.map((c) => c.platformRef));
  const orphans = platformDiscounts.filter((d) => !dbRefs.has(gid("DiscountCodeNode", d.id))).length;
  const duplicates = platformDiscounts.length - platformCustomers.size + (dbCodes.length - dbCustomers.size) + orphans;

  msw.close();
  // The app's own shop deletion: codes and issuances are not reached by the shop row's cascade (0015, 0021).
  await redactShop(shop.id);
  log(
    `${CODES} codes in ${seconds.toFixed(1)} s (${codesPerSec.toFixed(2)}/s; max ${theoreticalPerSec.toFixed(2)}/s at ${restoreRate} points/s ÷ ${costPerCreate} per create); ` +
      `${measured.filter((e) => e.errorCodes.includes("THROTTLED")).length} THROTTLED answers; store holds ${platformDiscounts.length} discounts, ` +
      `database ${dbCodes.filter((c) => c.status === "ASSIGNED").length} assigned codes` +
      (failures.size ? `; failures: ${JSON.stringify(Object.fromEntries(failures))}` : ""),
  );
  for (const example of examples) log(`failure: ${example}`);
  return {
    codes: CODES,
    seconds: Number(seconds.toFixed(1)),
    codesPerSec: Number(codesPerSec.toFixed(2)),
    theoreticalPerSec: Number(theoreticalPerSec.toFixed(2)),
    ratio: Number((codesPerSec / theoreticalPerSec).toFixed(3)),
    failed,
    throttledSurfaced,
    throttledResponses: measured.filter((e) => e.errorCodes.includes("THROTTLED")).length,
    duplicates,
    startPoints,
    platformCodes: platformDiscounts.length,
    assignedInDb: dbCodes.filter((c) => c.status === "ASSIGNED").length,
  };
}
