// A broadcast with tags, a metafield and the Flow trigger: the broadcast gives each member their code and message,
// and a task per member runs the Shopify actions with that same code (tags and metafield land in the store
// simulator; Flow calls are checked against the Admin schema and counted).
import { describe, expect, it } from "vitest";
import { broadcastKey, runBroadcast, startBroadcast } from "../../../app/services/campaigns/broadcast.server";
import { runTask } from "../../../app/services/tasks/run.server";
import { draftBroadcast } from "../../support/broadcasts";
import { createPoolWithCodes } from "../../support/pools";
import { clientWithFlow, simulator } from "../../support/shopify-client";
import { createTestShop } from "../../support/shops";

async function arrange() {
  const shop = await createTestShop({ seed: true });
  const found = (await simulator().graphql(shop.domain, "{ customers(first: 3) { nodes { id email } } }")) as {
    data: { customers: { nodes: { id: string; email: string | null }[] } };
  };
  const simCustomers = found.data.customers.nodes;
  expect(simCustomers).toHaveLength(3);
  // The last member has no email: their message is skipped, so they get no code, but they are still tagged.
  const customers = [];
  for (const [i, c] of simCustomers.entries()) {
    customers.push(
      await shop.db.customer.create({
        data: { shopId: shop.id, platformId: c.id, email: i < 2 ? (c.email ?? `m${i}@example.com`) : null, firstName: `Member ${i}` },
      }),
    );
  }
  const pool = await createPoolWithCodes(shop, ["BF-1", "BF-2", "BF-3"], { name: "Black Friday" });
  const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "BF", channel: "EMAIL", subject: "Hi", body: "Code {{promoCode}}" } });
  const campaign = await draftBroadcast(
    shop,
    customers.map((c) => c.id),
    [
      { type: "add_tags", tags: ["bf-2026"] },
      { type: "issue_code", poolId: pool.id },
      { type: "send_message", templateId: template.id },
      { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
      { type: "flow_trigger" },
    ],
  );
  return { shop, customers, pool, campaign };
}

describe("a broadcast with Shopify actions", () => {
  it("GIVEN tags, a metafield and Flow WHEN the broadcast runs twice and its tasks run THEN each member is tagged once, gets their own code in the metafield and in Flow, and no second code or message", async () => {
    const { shop, customers, pool, campaign } = await arrange();
    expect(await startBroadcast(shop.db, shop.id, campaign.id)).toEqual({ type: "started", recipients: 3 });
    expect(await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false })).toMatchObject({ type: "done", created: 2, skipped: 1 });
    // A second run (a retry, a sweep) adds no task.
    await runBroadcast(shop.db, shop.id, campaign.id, { enqueueSends: false });
    const tasks = await shop.db.task.findMany({ where: { campaignId: campaign.id } });
    expect(tasks).toHaveLength(3);

    const { calls, client } = clientWithFlow(shop, () => "ok");
    for (const task of tasks) await runTask(shop.db, shop.id, task.id, { shopifyClient: async () => client });

    const codes = new Map<string, string>();
    for (const customer of customers.slice(0, 2)) {
      const message = await shop.db.message.findFirstOrThrow({ where: { dedupeKey: broadcastKey(campaign.id, customer.id) } });
      const code = await shop.db.code.findFirstOrThrow({ where: { id: message.codeId! } });
      codes.set(customer.platformId, code.code);
      const task = await shop.db.task.findFirstOrThrow({ where: { campaignId: campaign.id, customerId: customer.id } });
      expect(task).toMatchObject({ status: "EXECUTED", codeId: message.codeId, outcome: null });
    }
    const skippedTask = await shop.db.task.findFirstOrThrow({ where: { campaignId: campaign.id, customerId: customers[2]!.id } });
    expect(skippedTask.status).toBe("EXECUTED");
    expect(skippedTask.outcome).toMatch(/write_metafield: no code to pass on/);

    for (const customer of customers) {
      const stored = (await simulator().graphql(
        shop.domain,
        `{ customer(id: "${customer.platformId}") { tags metafield(namespace: "promo_codes", key: "last_code") { value } } }`,
      )) as { data: { customer: { tags: string[]; metafield: { value: string } | null } } };
      expect(stored.data.customer.tags.filter((t) => t === "bf-2026")).toHaveLength(1);
      expect(stored.data.customer.metafield?.value ?? null).toBe(codes.get(customer.platformId) ?? null);
    }
    expect(calls.map((c) => c.payload["Promo code"]).sort()).toEqual([...codes.values()].sort());
    expect(calls.every((c) => c.payload["Pool name"] === "Black Friday")).toBe(true);

    // The tasks reused the broadcast's codes and messages: nothing was issued or queued twice.
    expect(await shop.db.issuance.count({ where: { poolId: pool.id } })).toBe(2);
    expect(await shop.db.message.count({ where: { campaignId: campaign.id } })).toBe(3);

    // Run again (a retried job): Flow is not fired again.
    for (const task of tasks) await runTask(shop.db, shop.id, task.id, { shopifyClient: async () => client });
    expect(calls).toHaveLength(2);
  });

  it("GIVEN two message actions WHEN a broadcast is saved THEN it is refused: a broadcast sends one message per member", async () => {
    const { shop, campaign } = await arrange();
    const actions = campaign.actions as { type: string; templateId?: string }[];
    const send = actions.find((a) => a.type === "send_message")!;
    await shop.db.campaign.update({ where: { id: campaign.id }, data: { actions: [...actions, send] } });
    expect(await startBroadcast(shop.db, shop.id, campaign.id)).toEqual({ type: "refused", message: expect.stringMatching(/one message per member/) });
  });
});
