// A broadcast's tags and metafield as Shopify bulk mutations (decision 0022): the broadcast gives each member their
// code and message, then each action goes to Shopify as bulk operations over the members. The operations run in
// the store simulator (its staged uploads, bulk operations and result files, reached through msw), so the tags and
// metafields land on its customers and what it refuses comes back line by line.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { runBroadcast, startBroadcast } from "../../../app/services/campaigns/broadcast.server";
import {
  advanceBulkActions,
  BULK_MAX_ATTEMPTS,
  bulkActionSummary,
  planBulkActions,
  SHOPIFY_BULK_CONCURRENCY,
  type BulkAdvance,
} from "../../../app/services/campaigns/bulk-actions.server";
import { draftBroadcast } from "../../support/broadcasts";
import { createCustomers, createPoolWithCodes } from "../../support/pools";
import { clientWithFlow, simulator } from "../../support/shopify-client";
import { createTestShop, type TestShop } from "../../support/shops";

const MISSING_CUSTOMER = "gid://shopify/Customer/987654321";

async function arrange(extraActions: object[] = [], members = 3) {
  const shop = await createTestShop({ seed: true });
  const found = (await simulator().graphql(shop.domain, `{ customers(first: ${members}) { nodes { id email } } }`)) as {
    data: { customers: { nodes: { id: string; email: string | null }[] } };
  };
  const simCustomers = found.data.customers.nodes;
  expect(simCustomers).toHaveLength(members);
  // Member 2 has no email: their message is skipped and they get no code, but they are still tagged. The last
  // member is not (or no longer) a customer in Shopify: Shopify refuses their lines.
  const customers = [];
  for (const [i, c] of simCustomers.entries()) {
    customers.push(
      await shop.db.customer.create({
        data: { shopId: shop.id, platformId: c.id, email: i === 2 ? null : (c.email ?? `m${i}@example.com`), firstName: `Member ${i}` },
      }),
    );
  }
  customers.push(await shop.db.customer.create({ data: { shopId: shop.id, platformId: MISSING_CUSTOMER, email: "gone@example.com", firstName: "Gone" } }));
  // Imported from an old system without a Shopify id, and first in member order: its line is left out, so every
  // later result line is one place off from the planned members.
  customers.push(
    await shop.db.customer.create({
      data: { id: `00000000${randomUUID().slice(8)}`, shopId: shop.id, platformId: "legacy-42", email: "legacy@example.com", firstName: "Legacy" },
    }),
  );
  const pool = await createPoolWithCodes(shop, Array.from({ length: members + 2 }, (_, i) => `BULK-${i}`), { name: "Bulk" });
  const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "B", channel: "EMAIL", subject: "Hi", body: "Code {{promoCode}}" } });
  const campaign = await draftBroadcast(
    shop,
    customers.map((c) => c.id),
    [
      { type: "add_tags", tags: ["vip-2026"] },
      { type: "issue_code", poolId: pool.id },
      { type: "send_message", templateId: template.id },
      { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
      ...extraActions,
    ],
  );
  return { shop, customers, campaign };
}

/** Looks at the broadcast's bulk parts until none is open, as the job does every few seconds. */
async function drain(shop: TestShop, campaignId: string, client = clientWithFlow(shop, () => "ok").client, looks = 200): Promise<(BulkAdvance & { running: number })[]> {
  const seen: (BulkAdvance & { running: number })[] = [];
  for (let i = 0; i < looks; i++) {
    const result = await advanceBulkActions(shop.db, shop.id, campaignId, { shopifyClient: async () => client });
    seen.push({ ...result, running: await shop.db.bulkActionRun.count({ where: { campaignId, status: "RUNNING" } }) });
    if (result.open === 0) return seen;
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  throw new Error(`bulk actions still open after ${looks} looks`);
}

async function storedCustomer(shop: TestShop, id: string) {
  const stored = (await simulator().graphql(
    shop.domain,
    `{ customer(id: "${id}") { tags metafield(namespace: "promo_codes", key: "last_code") { value } } }`,
  )) as { data: { customer: { tags: string[]; metafield: { value: string } | null } | null } };
  return stored.data.customer;
}

describe("a broadcast's tags and metafield in bulk", () => {
  it("GIVEN tags and a metafield WHEN the broadcast runs and its bulk operations finish THEN every member is tagged, those with a code have it in the metafield, and the member Shopify refused is named", async () => {
    const { shop, customers, campaign } = await arrange();
    expect(await startBroadcast(shop.db, shop.id, campaign.id)).toEqual({ type: "started", recipients: 5 });
    expect(await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false })).toMatchObject({ type: "done", created: 4, skipped: 1 });
    // No task per member: the Shopify actions are the bulk operations'.
    expect(await shop.db.task.count({ where: { campaignId: campaign.id } })).toBe(0);
    const runs = await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id }, orderBy: { kind: "asc" } });
    expect(runs.map((r) => [r.kind, r.customerIds.length])).toEqual([
      ["TAGS", 5],
      ["METAFIELD", 4],
    ]);

    await drain(shop, campaign.id);

    for (const customer of customers.slice(0, 3)) {
      const message = await shop.db.message.findFirstOrThrow({ where: { campaignId: campaign.id, customerId: customer.id } });
      const code = message.codeId ? await shop.db.code.findFirstOrThrow({ where: { id: message.codeId } }) : null;
      const stored = await storedCustomer(shop, customer.platformId);
      expect(stored?.tags.filter((t) => t === "vip-2026")).toHaveLength(1);
      expect(stored?.metafield?.value ?? null).toBe(code?.code ?? null);
    }
    const summary = await bulkActionSummary(shop.db, shop.id, campaign.id);
    expect(summary.map((s) => ({ kind: s.kind, members: s.members, processed: s.processed, succeeded: s.succeeded, failed: s.failed }))).toEqual([
      { kind: "TAGS", members: 5, processed: 5, succeeded: 3, failed: 2 },
      { kind: "METAFIELD", members: 4, processed: 4, succeeded: 2, failed: 2 },
    ]);
    for (const s of summary) {
      // Each refusal is the right member's: the missing customer's is Shopify's answer, the legacy one never went.
      expect(s.failures).toHaveLength(2);
      expect(s.failures).toEqual(
        expect.arrayContaining([
          { customerId: customers[4]!.id, customerName: "Legacy", message: "Not a Shopify customer id: legacy-42" },
          { customerId: customers[3]!.id, customerName: "Gone", message: expect.stringMatching(/\w/) },
        ]),
      );
      expect(s.failures.find((f) => f.customerName === "Gone")!.message).not.toMatch(/Not a Shopify customer id/);
      expect(s.parts).toMatchObject({ total: 1, succeeded: 1, pending: 0, running: 0 });
    }

    // The broadcast run again (a retry, the sweep): no second plan, nothing sent to Shopify again.
    const before = simulator().requestLog.filter((r) => r.rootFields.includes("bulkOperationRunMutation")).length;
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    await planBulkActions(shop.db, shop.id, campaign.id);
    expect(await drain(shop, campaign.id)).toEqual([{ open: 0, started: 0, finished: 0, running: 0 }]);
    expect(simulator().requestLog.filter((r) => r.rootFields.includes("bulkOperationRunMutation")).length).toBe(before);
  });

  it("GIVEN a Flow trigger WHEN the broadcast runs THEN its Shopify actions stay one task per member and nothing goes in bulk", async () => {
    const { shop, campaign } = await arrange([{ type: "flow_trigger" }]);
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    expect(await shop.db.task.count({ where: { campaignId: campaign.id } })).toBe(5);
    expect(await shop.db.bulkActionRun.count({ where: { campaignId: campaign.id } })).toBe(0);
  });

  it("GIVEN more parts than Shopify runs at once WHEN they are started THEN at most five run at a time and all of them finish", async () => {
    const { shop, customers, campaign } = await arrange([], 6);
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    await shop.db.bulkActionRun.deleteMany({ where: { campaignId: campaign.id } });
    // One member a part: 8 tag parts and 7 metafield parts (the member without an email has no code).
    expect(await planBulkActions(shop.db, shop.id, campaign.id, 1)).toBe(15);

    const staged = () => simulator().requestLog.filter((r) => r.shop === shop.domain && r.rootFields.includes("stagedUploadsCreate")).length;
    const stagedBefore = staged();
    // While Shopify has not finished any of them, one look starts five and stages no sixth file.
    simulator().holdBulkOperations(shop.domain, true);
    const client = clientWithFlow(shop, () => "ok").client;
    // The legacy member's tag part comes first and has no line to send: it finishes without a slot.
    expect(await advanceBulkActions(shop.db, shop.id, campaign.id, { shopifyClient: async () => client })).toEqual({ started: SHOPIFY_BULK_CONCURRENCY, finished: 1, open: 14 });
    expect(await shop.db.bulkActionRun.count({ where: { campaignId: campaign.id, status: "RUNNING" } })).toBe(SHOPIFY_BULK_CONCURRENCY);
    expect(staged() - stagedBefore).toBe(SHOPIFY_BULK_CONCURRENCY);
    simulator().holdBulkOperations(shop.domain, false);

    const looks = await drain(shop, campaign.id, client);
    expect(Math.max(...looks.map((l) => l.running))).toBeLessThanOrEqual(SHOPIFY_BULK_CONCURRENCY);
    // The legacy member's two parts have no line to send: they finish without a file.
    expect(staged() - stagedBefore).toBe(13);
    const runs = await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id } });
    expect(runs.every((r) => r.status === "SUCCEEDED")).toBe(true);
    const tagged = await Promise.all(customers.slice(0, 6).map((c) => storedCustomer(shop, c.platformId)));
    expect(tagged.every((c) => c?.tags.includes("vip-2026"))).toBe(true);
  });

  it("GIVEN Shopify fails an operation WHEN the job looks THEN the part is started again, and given up after a few failures with the reason shown", async () => {
    const { shop, campaign } = await arrange();
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    await shop.db.bulkActionRun.deleteMany({ where: { campaignId: campaign.id, kind: "METAFIELD" } });
    const client = clientWithFlow(shop, () => "ok").client;
    const advance = () => advanceBulkActions(shop.db, shop.id, campaign.id, { shopifyClient: async () => client });
    // Held, so no operation completes before the test fails it.
    simulator().holdBulkOperations(shop.domain, true);

    expect(await advance()).toMatchObject({ started: 1, open: 1 });
    for (let attempt = 1; attempt <= BULK_MAX_ATTEMPTS; attempt++) {
      const run = await shop.db.bulkActionRun.findFirstOrThrow({ where: { campaignId: campaign.id } });
      expect(run).toMatchObject({ status: "RUNNING", attempts: attempt });
      simulator().failBulkOperation(shop.domain, run.operationId!, "INTERNAL_SERVER_ERROR");
      const after = await advance();
      const polled = await shop.db.bulkActionRun.findFirstOrThrow({ where: { campaignId: campaign.id } });
      if (attempt < BULK_MAX_ATTEMPTS) {
        // The same look starts it again, whole, as a new operation, and says why.
        expect(after).toMatchObject({ started: 1, open: 1 });
        expect(polled.operationId).not.toBe(run.operationId);
        expect(polled.error).toMatch(/failed \(INTERNAL_SERVER_ERROR\); started again/);
      } else {
        expect(after).toMatchObject({ started: 0, open: 0 });
        expect(polled).toMatchObject({ status: "FAILED", error: expect.stringMatching(new RegExp(`${BULK_MAX_ATTEMPTS} tries; given up`)) });
      }
    }
    simulator().holdBulkOperations(shop.domain, false);
    const [summary] = await bulkActionSummary(shop.db, shop.id, campaign.id);
    expect(summary).toMatchObject({ kind: "TAGS", succeeded: 0, parts: { failed: 1 }, errors: [expect.stringMatching(/given up/)] });
  });

  it("GIVEN a part claimed by a job that died WHEN its claim runs out THEN another look starts it, and a live claim is left alone", async () => {
    const { shop, campaign } = await arrange();
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    const now = new Date();
    await shop.db.bulkActionRun.updateMany({ where: { campaignId: campaign.id, kind: "TAGS" }, data: { claimedUntil: new Date(now.getTime() + 60_000), attempts: 1 } });
    await shop.db.bulkActionRun.updateMany({ where: { campaignId: campaign.id, kind: "METAFIELD" }, data: { claimedUntil: new Date(now.getTime() - 1), attempts: 1 } });
    const client = clientWithFlow(shop, () => "ok").client;
    expect(await advanceBulkActions(shop.db, shop.id, campaign.id, { shopifyClient: async () => client })).toMatchObject({ started: 1, open: 2 });
    const runs = await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id } });
    expect(Object.fromEntries(runs.map((r) => [r.kind, r.status]))).toEqual({ TAGS: "PENDING", METAFIELD: "RUNNING" });
    expect(runs.find((r) => r.kind === "METAFIELD")?.attempts).toBe(2);
  });

  it("GIVEN Shopify already runs five bulk mutations for the shop WHEN a part would start THEN it waits, pending, without using an attempt", async () => {
    const { shop, campaign } = await arrange();
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    // Five operations of another tool of the shop's, started just now and not started running yet.
    const client = clientWithFlow(shop, () => "ok").client;
    const { startBulkMutation } = await import("../../../app/platforms/shopify/bulk-mutations.server");
    const { BULK_TAGS_ADD } = await import("../../../app/platforms/shopify/documents/bulk-mutations");
    simulator().holdBulkOperations(shop.domain, true);
    for (let i = 0; i < 5; i++) {
      expect(await startBulkMutation(client, { mutation: BULK_TAGS_ADD, lines: [{ id: MISSING_CUSTOMER, tags: ["x"] }], clientIdentifier: `other-${i}` })).toMatchObject({ type: "started" });
    }
    const result = await advanceBulkActions(shop.db, shop.id, campaign.id, { shopifyClient: async () => client });
    expect(result).toMatchObject({ started: 0, open: 2 });
    const runs = await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id } });
    expect(runs.map((r) => [r.status, r.attempts, r.claimedUntil])).toEqual([
      ["PENDING", 0, null],
      ["PENDING", 0, null],
    ]);
    simulator().holdBulkOperations(shop.domain, false);
  });

  it("GIVEN a Magento store's broadcast with tags WHEN its bulk parts are looked at THEN they fail with the reason and nothing is sent anywhere", async () => {
    const shop = await createTestShop({ platform: "MAGENTO" });
    const [customerId] = await createCustomers(shop, 1);
    const pool = await createPoolWithCodes(shop, ["MG-1"], { name: "Magento codes" });
    const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "M", channel: "EMAIL", subject: "Hi", body: "Code {{promoCode}}" } });
    const campaign = await draftBroadcast(shop, [customerId!], [
      { type: "add_tags", tags: ["vip"] },
      { type: "issue_code", poolId: pool.id },
      { type: "send_message", templateId: template.id },
    ]);
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    const requests = simulator().requestLog.length;
    const result = await advanceBulkActions(shop.db, shop.id, campaign.id, {
      shopifyClient: async () => {
        throw new Error("no Shopify client for a Magento store");
      },
    });
    expect(result).toEqual({ open: 0, started: 0, finished: 1 });
    const [summary] = await bulkActionSummary(shop.db, shop.id, campaign.id);
    expect(summary).toMatchObject({ kind: "TAGS", parts: { failed: 1 }, errors: ["Tags and metafields are Shopify-only: this store is on magento"] });
    expect(simulator().requestLog.length).toBe(requests);
  });

  it("GIVEN a result file Shopify no longer serves WHEN the part completes THEN it is started again and its next results are recorded", async () => {
    const { shop, campaign } = await arrange();
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    await shop.db.bulkActionRun.deleteMany({ where: { campaignId: campaign.id, kind: "METAFIELD" } });
    let refused = 0;
    const flaky: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes("bulk-operation-outputs") && refused === 0) {
        refused += 1;
        return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
      }
      return fetch(input, init);
    };
    const client = clientWithFlow(shop, () => "ok").client;
    const looks: BulkAdvance[] = [];
    for (let i = 0; i < 100 && looks.at(-1)?.open !== 0; i++) {
      looks.push(await advanceBulkActions(shop.db, shop.id, campaign.id, { shopifyClient: async () => client, fetch: flaky }));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(refused).toBe(1);
    expect(looks.reduce((n, l) => n + l.started, 0)).toBe(2);
    const run = await shop.db.bulkActionRun.findFirstOrThrow({ where: { campaignId: campaign.id } });
    expect(run).toMatchObject({ status: "SUCCEEDED", attempts: 2, succeeded: 3, failed: 2, error: null });
  });

  it("GIVEN a broadcast stopped after its parts were planned WHEN the job looks THEN nothing more goes to Shopify and the page says why", async () => {
    const { shop, campaign } = await arrange();
    await startBroadcast(shop.db, shop.id, campaign.id);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    await shop.db.campaign.update({ where: { id: campaign.id }, data: { status: "STOPPED" } });
    const requests = simulator().requestLog.length;
    const client = clientWithFlow(shop, () => "ok").client;
    expect(await advanceBulkActions(shop.db, shop.id, campaign.id, { shopifyClient: async () => client })).toEqual({ open: 0, started: 0, finished: 2 });
    expect(simulator().requestLog.length).toBe(requests);
    const summary = await bulkActionSummary(shop.db, shop.id, campaign.id);
    expect(summary.map((s) => s.errors)).toEqual([["The broadcast was stopped before these members were sent to Shopify"], ["The broadcast was stopped before these members were sent to Shopify"]]);
    // Nor is anything planned for it any more.
    expect(await planBulkActions(shop.db, shop.id, campaign.id)).toBe(0);
  });

  it("GIVEN a pool that runs empty and holds the rest WHEN the broadcast runs, then runs again after a refill THEN the first members are planned at once and the rest in new parts, each member once", async () => {
    const { shop, customers, campaign } = await arrange();
    const actions = campaign.actions as { type: string; poolId?: string }[];
    const poolId = actions.find((a) => a.type === "issue_code")!.poolId!;
    await shop.db.pool.update({ where: { id: poolId }, data: { emptyBehavior: "HOLD_UNTIL_REFILLED" } });
    // Two codes for the four members who get a message with a code.
    const codes = await shop.db.code.findMany({ where: { poolId }, orderBy: { id: "asc" } });
    await shop.db.code.deleteMany({ where: { id: { in: codes.slice(2).map((c) => c.id) } } });
    await startBroadcast(shop.db, shop.id, campaign.id);
    const first = await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false, heldRetryMs: 60_000 });
    expect(first).toMatchObject({ type: "done" });
    expect((first as { held: number }).held).toBeGreaterThan(0);
    const messaged = await shop.db.message.count({ where: { campaignId: campaign.id } });
    const planned = await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id, kind: "TAGS" } });
    expect(planned.flatMap((r) => r.customerIds)).toHaveLength(messaged);

    await createPoolCodes(shop, poolId, ["REFILL-1", "REFILL-2", "REFILL-3"]);
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    const tagParts = await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id, kind: "TAGS" }, orderBy: { part: "asc" } });
    expect(tagParts.length).toBe(2);
    const everyone = tagParts.flatMap((r) => r.customerIds);
    expect(new Set(everyone).size).toBe(everyone.length);
    expect(everyone.sort()).toEqual(customers.map((c) => c.id).sort());
  });
});

async function createPoolCodes(shop: TestShop, poolId: string, codes: string[]) {
  await shop.db.code.createMany({ data: codes.map((code) => ({ shopId: shop.id, poolId, code, codeKey: code.toUpperCase() })) });
}
