// The bulk actions job on real PostgreSQL and Redis (decision 0022): while a broadcast's parts run at Shopify, each
// look enqueues the next one as a delayed job, and looks that land in the same poll slot merge into one job; the
// messages sweep gives a job back to parts nobody looks at, and plans a broadcast whose run died before planning.
// Shopify is the store simulator, reached through msw for the uploads and result files.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeQueues, queue } from "../../app/jobs/enqueue.server";
import { processBulkActions } from "../../app/jobs/processors/campaigns.server";
import { jobId } from "../../app/jobs/queues";
import { ShopifyAdminClient } from "../../app/platforms/shopify/admin-client.server";
import { runBroadcast, startBroadcast } from "../../app/services/campaigns/broadcast.server";
import { resumeStalledBulkActions, STALE_BULK_MS } from "../../app/services/campaigns/bulk-actions.server";
import { setupFetchOnlyServer, shopifyAdminHandlers, ShopifySimulator } from "../../simulator/shopify";
import { draftBroadcast } from "../support/broadcasts";
import { createPoolWithCodes } from "../support/pools";
import { simulatorTransport } from "../support/shopify-client";
import { createTestShop, type TestShop } from "../support/shops";

const simulator = new ShopifySimulator({ bulkOperations: { startDelayMs: 20, linesPerSecond: 50_000 } });
const server = setupFetchOnlyServer(...shopifyAdminHandlers(simulator));

beforeAll(() => server.listen({ onUnhandledFrame: "bypass" }));
afterAll(async () => {
  server.close();
  await closeQueues();
});

function adminClient(shop: TestShop) {
  return new ShopifyAdminClient(shop.domain, simulatorTransport(simulator, shop), { sleep: async () => undefined });
}

/** A broadcast with tags over three simulator customers, run to the end of its messages (its bulk parts planned). */
async function sentBroadcast(shop: TestShop) {
  simulator.registerShop({ domain: shop.domain, accessToken: shop.accessToken, plan: "standard" });
  const customers = [];
  for (let i = 0; i < 3; i++) {
    const c = simulator.state(shop.domain).addCustomer({ email: `m${i}@bulk.example` });
    customers.push(await shop.db.customer.create({ data: { shopId: shop.id, platformId: `gid://shopify/Customer/${c.id}`, email: `m${i}@bulk.example` } }));
  }
  const pool = await createPoolWithCodes(shop, ["J-1", "J-2", "J-3"]);
  const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "J", channel: "EMAIL", subject: "Hi", body: "{{promoCode}}" } });
  const campaign = await draftBroadcast(
    shop,
    customers.map((c) => c.id),
    [
      { type: "add_tags", tags: ["jobs"] },
      { type: "issue_code", poolId: pool.id },
      { type: "send_message", templateId: template.id },
      { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
    ],
  );
  await startBroadcast(shop.db, shop.id, campaign.id);
  await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
  return { campaign, customers };
}

async function bulkJobs(campaignId: string) {
  const jobs = await queue("campaigns").getJobs(["delayed", "waiting"]);
  return jobs.filter((j) => j.name === "bulkActions" && (j.data as { campaignId: string }).campaignId === campaignId);
}

describe("the bulk actions job", () => {
  it("GIVEN parts still running at Shopify WHEN the job looks, twice in one poll slot THEN one delayed look follows; once they finish, none", async () => {
    const shop = await createTestShop();
    const { campaign } = await sentBroadcast(shop);
    simulator.holdBulkOperations(shop.domain, true);
    const client = adminClient(shop);
    // Two looks in one poll slot (a sweep's job ran while the chain's own was only late).
    const at = new Date();
    const options = { shopifyClient: async () => client, pollMs: 60_000, now: () => at };

    expect(await processBulkActions({ shopId: shop.id, campaignId: campaign.id }, options)).toMatchObject({ started: 2, open: 2 });
    await processBulkActions({ shopId: shop.id, campaignId: campaign.id }, options);
    const delayed = await bulkJobs(campaign.id);
    expect(delayed).toHaveLength(1);
    expect(delayed[0]!.opts.delay).toBe(60_000);
    expect(delayed[0]!.id).toMatch(new RegExp(`^${jobId("bulk", campaign.id)}-t\\d+$`));

    simulator.holdBulkOperations(shop.domain, false);
    await delayed[0]!.remove();
    for (let i = 0; i < 50; i++) {
      const result = await processBulkActions({ shopId: shop.id, campaignId: campaign.id }, { ...options, now: () => new Date() });
      if (result.open === 0) break;
      for (const job of await bulkJobs(campaign.id)) await job.remove();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(await bulkJobs(campaign.id)).toHaveLength(0);
    const runs = await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id } });
    expect(runs.map((r) => r.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  it("GIVEN parts nobody has looked at for minutes WHEN the messages sweep runs THEN the broadcast gets a job again; a broadcast never planned gets its parts", async () => {
    const shop = await createTestShop();
    const stalled = await sentBroadcast(shop);
    const old = new Date(Date.now() - 2 * STALE_BULK_MS);
    await shop.db.bulkActionRun.updateMany({ where: { campaignId: stalled.campaign.id }, data: { updatedAt: old } });
    // Another broadcast's run died between its last message and planning: no parts, untouched for minutes.
    const unplannedShop = await createTestShop();
    const unplanned = await sentBroadcast(unplannedShop);
    await unplannedShop.db.bulkActionRun.deleteMany({ where: { campaignId: unplanned.campaign.id } });
    await unplannedShop.db.campaign.update({ where: { id: unplanned.campaign.id }, data: { updatedAt: old } });

    expect(await resumeStalledBulkActions(shop.db, shop.id)).toBe(1);
    expect(await bulkJobs(stalled.campaign.id)).toHaveLength(1);

    expect(await resumeStalledBulkActions(unplannedShop.db, unplannedShop.id)).toBe(1);
    expect(await unplannedShop.db.bulkActionRun.count({ where: { campaignId: unplanned.campaign.id } })).toBe(2);
    expect(await bulkJobs(unplanned.campaign.id)).toHaveLength(1);
    // A second sweep plans nothing more and adds no job in the same minute's slot.
    expect(await resumeStalledBulkActions(unplannedShop.db, unplannedShop.id)).toBe(0);
    expect(await bulkJobs(unplanned.campaign.id)).toHaveLength(1);
  });
});
