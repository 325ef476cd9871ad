// A broadcast's tags and metafield for 100,000 members (decision 0022), on the machine's PostgreSQL against the
// store simulator reached through msw, with a Standard plan's Admin API bucket (100 points/s).
//
// Measured: the bulk path as the job runs it (planBulkActions, then advanceBulkActions until no part is open),
// from the members' messages to every result file read and recorded. The simulator runs the lines as fast as it
// can (real Shopify's pace for bulk lines is not published), so these seconds are the app's side plus the
// simulator executing 200,000 mutations in this process; the Admin API points it spent are counted from the
// simulator's log.
//
// Baseline, in the same run: the per-member path (decision 0018's task actions, addCustomerTags and
// writeCodeMetafield through the same paced client) for BENCH_BULK_BASELINE_MEMBERS members, starting from an empty
// bucket, so it runs at the plan's restore rate as a long broadcast does. Its members per second give what the whole
// broadcast would take that way.
//
// Checked from the simulator's store afterwards: every member tagged once and carrying their own code.
import { randomUUID } from "node:crypto";
import { openBenchDatabase } from "../lib/bench-env";
import { phaseTimer } from "../lib/phases";
import { simulatedAdminFetch } from "../lib/simulated-admin";

const MEMBERS = Number(process.env.BENCH_BULK_MEMBERS ?? 100_000);
const BASELINE_MEMBERS = Number(process.env.BENCH_BULK_BASELINE_MEMBERS ?? 100);
const SHOP_DOMAIN_PREFIX = "bulk-bench-";
const TAG = "bench-vip";
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

export async function run(log: (line: string) => void) {
  const { phases, timed } = phaseTimer();
  const { db, prisma, forShop } = await openBenchDatabase(timed, 10);
  const { ShopifySimulator, setupFetchOnlyServer, shopifyAdminHandlers } = await import("../../simulator/shopify");
  const { ShopifyAdminClient } = await import("../../app/platforms/shopify/admin-client.server");
  const { addCustomerTags, writeCodeMetafield } = await import("../../app/platforms/shopify/customer-actions.server");
  const { advanceBulkActions, planBulkActions } = await import("../../app/services/campaigns/bulk-actions.server");

  const simulator = new ShopifySimulator({ bulkOperations: { startDelayMs: 0, linesPerSecond: Infinity } });
  const msw = setupFetchOnlyServer(...shopifyAdminHandlers(simulator));
  msw.listen({ onUnhandledFrame: "bypass" });

  const deleteShop = async (shopId: string) => {
    // codes has no foreign key to its pool (decision 0021): removed before the shop row cascades over the rest.
    await prisma.$executeRaw`DELETE FROM codes WHERE pool_id IN (SELECT id FROM pools WHERE shop_id = ${shopId}::uuid)`;
    await prisma.$executeRaw`DELETE FROM shops WHERE id = ${shopId}::uuid`;
  };
  await timed("cleanLeftovers", async () => {
    const leftovers = await prisma.shop.findMany({ where: { domain: { startsWith: SHOP_DOMAIN_PREFIX } }, select: { id: true } });
    for (const s of leftovers) await deleteShop(s.id);
  });

  const domain = `${SHOP_DOMAIN_PREFIX}${randomUUID().slice(0, 8)}.myshopify.com`;
  const accessToken = "shpat_bench";
  const store = simulator.registerShop({ domain, accessToken, plan: "standard" });
  const client = new ShopifyAdminClient(domain, simulatedAdminFetch(domain, accessToken));
  // Marked uninstalled so no worker's per-shop sweep (other benchmarks share this database) picks its rows up.
  const shop = await prisma.shop.create({ data: { domain, name: "Bulk Bench", uninstalledAt: new Date() } });
  const shopId = shop.id;
  const shopDb = forShop(shopId);
  let result: Record<string, unknown> = {};
  try {
    const { campaignId, codes } = await timed("arrange", async () => {
      const gids = Array.from({ length: MEMBERS + BASELINE_MEMBERS }, (_, i) => `gid://shopify/Customer/${store.addCustomer({ email: `m${i}@bench.example` }).id}`);
      const pool = await shopDb.pool.create({ data: { shopId, name: "Bulk bench pool" } });
      const template = await shopDb.messageTemplate.create({ data: { shopId, name: "Bench", channel: "EMAIL", body: "{{promoCode}}" } });
      const segment = await shopDb.segment.create({ data: { shopId, name: "Bench members", rules: {} } });
      const campaign = await shopDb.campaign.create({
        data: {
          shopId,
          name: "Bulk bench",
          kind: "BROADCAST",
          status: "ACTIVE",
          segmentId: segment.id,
          startedAt: new Date(),
          actions: [
            { type: "add_tags", tags: [TAG] },
            { type: "issue_code", poolId: pool.id },
            { type: "send_message", templateId: template.id },
            { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
          ],
        },
      });
      // What the broadcast's run leaves behind (npm run bench -- broadcast measures that part): each member with a
      // code assigned to them and a message naming it.
      await prisma.$executeRaw`
        WITH c AS (
          INSERT INTO customers (id, shop_id, platform_id, email, updated_at)
          SELECT gen_random_uuid(), ${shopId}::uuid, g.gid, 'm' || g.n || '@bench.example', now()
          FROM unnest(${gids.slice(0, MEMBERS)}::text[]) WITH ORDINALITY AS g(gid, n)
          RETURNING id, email
        ), k AS (
          INSERT INTO codes (shop_id, pool_id, code, code_key, status, customer_id, assigned_at)
          SELECT ${shopId}::uuid, ${pool.id}::uuid, 'BULK-' || substr(c.email, 2, strpos(c.email, '@') - 2), 'BULK-' || substr(c.email, 2, strpos(c.email, '@') - 2), 'ASSIGNED', c.id, now()
          FROM c RETURNING id, customer_id
        )
        INSERT INTO messages (shop_id, customer_id, campaign_id, code_id, channel, recipient, body, status, dedupe_key)
        SELECT ${shopId}::uuid, k.customer_id, ${campaign.id}::uuid, k.id, 'EMAIL', 'x@bench.example', 'b', 'SENT',
               'broadcast:' || ${campaign.id}::text || ':' || k.customer_id::text
        FROM k`;
      const rows = await prisma.$queryRaw<{ platform_id: string; code: string }[]>`
        SELECT cu.platform_id, c.code FROM codes c JOIN customers cu ON cu.id = c.customer_id WHERE c.pool_id = ${pool.id}::uuid`;
      return { campaignId: campaign.id, codes: new Map(rows.map((r) => [r.platform_id, r.code])) };
    });
    log(`arranged ${MEMBERS.toLocaleString("en")} members with codes and messages (${phases.arrange}s)`);

    // Baseline: the per-member path from an empty bucket.
    const baselineGids = [...store.customers.keys()].slice(MEMBERS).map((id) => `gid://shopify/Customer/${id}`);
    if (baselineGids.length !== BASELINE_MEMBERS) throw new Error(`expected ${BASELINE_MEMBERS} baseline customers, found ${baselineGids.length}`);
    simulator.setAvailablePoints(domain, 0);
    const baselineSeconds = await timed("baseline", async () => {
      const started = performance.now();
      await Promise.all(
        baselineGids.map(async (gid, i) => {
          const tagged = await addCustomerTags(client, gid, [TAG]);
          const written = await writeCodeMetafield(client, gid, { namespace: "promo_codes", key: "last_code" }, `BASE-${i}`);
          if (tagged.type !== "done" || written.type !== "done") throw new Error(`per-member action refused: ${JSON.stringify([tagged, written])}`);
        }),
      );
      return (performance.now() - started) / 1000;
    });
    const baselinePerSec = baselineGids.length / baselineSeconds;
    log(`baseline: ${baselineGids.length} members one by one in ${baselineSeconds.toFixed(1)} s (${baselinePerSec.toFixed(1)} members/s)`);

    // Bulk, from a full bucket again (the bulk path's few calls never wait for it either way).
    simulator.setAvailablePoints(domain, simulator.throttleStatus(domain).maximumAvailable);
    const logBefore = simulator.requestLog.length;
    let looks = 0;
    const bulkSeconds = await timed("bulk", async () => {
      const started = performance.now();
      await planBulkActions(shopDb, shopId, campaignId);
      for (;;) {
        looks += 1;
        const advanced = await advanceBulkActions(shopDb, shopId, campaignId, { shopifyClient: async () => client });
        if (advanced.open === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return (performance.now() - started) / 1000;
    });
    const requests = simulator.requestLog.slice(logBefore).filter((e) => e.shop === domain);
    const points = requests.reduce((n, e) => n + (e.actualCost ?? 0), 0);
    const bulkPerSec = MEMBERS / bulkSeconds;
    log(`bulk: ${MEMBERS.toLocaleString("en")} members in ${bulkSeconds.toFixed(1)} s, ${requests.length} Admin API requests, ${points} points, ${looks} looks`);

    const check = await timed("check", async () => {
      let untagged = 0;
      let wrongCode = 0;
      for (const [gid, code] of codes) {
        const customer = store.customers.get(gid.split("/").pop()!);
        if (!customer || customer.tags.filter((t) => t === TAG).length !== 1) untagged += 1;
        if (store.findMetafield(gid, "promo_codes", "last_code")?.value !== code) wrongCode += 1;
      }
      const runs = await shopDb.bulkActionRun.findMany({ where: { campaignId }, select: { status: true, succeeded: true, failed: true } });
      return {
        untagged,
        wrongCode,
        parts: runs.length,
        partsFailed: runs.filter((r) => r.status !== "SUCCEEDED").length,
        succeeded: runs.reduce((n, r) => n + r.succeeded, 0),
        refused: runs.reduce((n, r) => n + r.failed, 0),
      };
    });
    // What each later run of a broadcast held by an empty pool pays: planning again over every planned member.
    const replanStarted = performance.now();
    const replanned = await timed("replan", () => planBulkActions(shopDb, shopId, campaignId));
    const replanSeconds = (performance.now() - replanStarted) / 1000;
    if (replanned !== 0) throw new Error(`planning again added ${replanned} parts`);
    log(`planning again over ${MEMBERS.toLocaleString("en")} planned members: ${replanSeconds.toFixed(2)} s`);
    const perMemberSeconds = MEMBERS / baselinePerSec;
    result = {
      members: MEMBERS,
      bulkSeconds: round(bulkSeconds, 2),
      bulkMembersPerSec: round(bulkPerSec),
      bulkAdminRequests: requests.length,
      bulkAdminPoints: points,
      perMemberMembersPerSec: round(baselinePerSec, 2),
      perMemberProjectedSeconds: round(perMemberSeconds),
      ratioToPerMember: round(bulkPerSec / baselinePerSec, 1),
      replanSeconds: round(replanSeconds, 2),
      ...check,
    };
  } finally {
    await timed("cleanup", () => deleteShop(shopId));
    msw.close();
    await db.close();
  }
  log(`phases (s): ${JSON.stringify(phases)}`);
  return {
    ...result,
    goals: {
      everyMemberUpdated: result.untagged === 0 && result.wrongCode === 0 && result.refused === 0 && result.partsFailed === 0,
      fasterThanPerMember: (result.ratioToPerMember as number) > 1,
    },
    phaseSeconds: phases,
  };
}
