// The task runner on PGlite: executing a scenario's actions (code, then message), resuming after a failure without
// a second code or message, claims and leases, empty pools (skip, fallback, hold), pools that are gone, inactive
// and deleted scenarios, and campaign runs with the Shopify-native actions (tags and metafield through the store
// simulator; the Flow trigger, which the simulator does not model, through a client that checks every document
// against the Admin schema).
import type { Channel } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { processRunTask } from "../../../app/jobs/processors/automation.server";
import { PermanentPlatformError } from "../../../app/platforms/errors";
import { setScenarioActive, deleteScenario } from "../../../app/services/scenarios/scenarios.server";
import { onOrderEvent } from "../../../app/services/scenarios/triggers.server";
import { HOLD_RETRY_MS, runTask } from "../../../app/services/tasks/run.server";
import { claimTask } from "../../../app/services/tasks/store.server";
import { listTasks, parseTaskFilter } from "../../../app/services/tasks/tasks.server";
import { appDiscounts, dynamicPool, dynamicShop } from "../dynamic/helpers";
import { createPoolWithCodes } from "../../support/pools";
import { clientWithFlow, simulator } from "../../support/shopify-client";
import { createTestShop, type TestShop } from "../../support/shops";
import { makeCustomer, makeOrder, makeScenario, makeTemplate } from "./helpers";

async function scenarioTask(shop: TestShop, poolId: string, options: { templateBody?: string; customerEmail?: boolean } = {}) {
  const template = await makeTemplate(shop, options.templateBody);
  const scenario = await makeScenario(shop, {
    actions: [
      { type: "generate_code", poolId },
      { type: "send_message", templateId: template.id },
    ],
  });
  const customer = await makeCustomer(shop);
  const order = await makeOrder(shop, customer.id);
  const result = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
  if (result.type !== "processed" || !result.started[0]) throw new Error("no task started");
  return { scenario, template, customer, order, taskId: result.started[0].taskId };
}

async function messagesOf(shop: TestShop, taskId: string) {
  return shop.db.message.findMany({ where: { taskId }, orderBy: { id: "asc" } });
}

async function issuancesOf(shop: TestShop, taskId: string) {
  return shop.db.issuance.findMany({ where: { idempotencyKey: { startsWith: `task:${taskId}` } }, include: { code: true } });
}

describe("running a scenario task", () => {
  it("GIVEN a due task WHEN it runs THEN the code is issued once under the task's key, the message carries it, and the task is executed with its code", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["RUN-1", "RUN-2"]);
    const { taskId, scenario, customer } = await scenarioTask(shop, pool.id);

    const result = await runTask(shop.db, shop.id, taskId);

    expect(result).toMatchObject({ type: "executed", outcome: null, checkAt: null });
    const [issuance] = await issuancesOf(shop, taskId);
    expect(issuance).toMatchObject({ idempotencyKey: `task:${taskId}:code`, source: `scenario:${scenario.id}`, customerId: customer.id, code: { code: "RUN-1", status: "ASSIGNED" } });
    const messages = await messagesOf(shop, taskId);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ dedupeKey: `task:${taskId}:msg:1`, recipient: customer.email, codeId: issuance!.codeId, status: "QUEUED" });
    expect(messages[0]!.body).toContain("RUN-1");
    const task = await shop.db.task.findFirstOrThrow({ where: { id: taskId } });
    expect(task).toMatchObject({ status: "EXECUTED", codeId: issuance!.codeId, executedAt: expect.any(Date), finishedAt: expect.any(Date) });

    // Running it again (a duplicate job) changes nothing.
    expect(await runTask(shop.db, shop.id, taskId)).toEqual({ type: "nothing_to_do", status: "EXECUTED" });
    expect(await issuancesOf(shop, taskId)).toHaveLength(1);
    expect(await messagesOf(shop, taskId)).toHaveLength(1);
    const page = await listTasks(shop.db, parseTaskFilter(new URLSearchParams()));
    expect(page.tasks[0]).toMatchObject({ id: taskId, code: "RUN-1", scenario: { id: scenario.id }, status: "EXECUTED" });
  });

  for (const [failAfter, phase] of [
    [0, "performed"],
    [0, "after"],
    [1, "performed"],
    [1, "after"],
  ] as const) {
    it(`GIVEN a run that fails once step ${failAfter} (the ${failAfter === 0 ? "code" : "message"}) is ${phase === "after" ? "recorded" : "done but not recorded"} WHEN the job retries THEN the customer still has one code and one message`, async () => {
      const shop = await createTestShop();
      const pool = await createPoolWithCodes(shop, ["ONCE-1", "ONCE-2", "ONCE-3"]);
      const { taskId } = await scenarioTask(shop, pool.id);
      const boom = async (step: { index: number; phase: string }) => {
        if (step.index === failAfter && step.phase === phase) throw new Error("worker lost its database connection");
      };
      await expect(runTask(shop.db, shop.id, taskId, { onStep: boom })).rejects.toThrow("worker lost its database connection");
      expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "PENDING" });

      // The failed run released its lease: the retry runs at once and carries on after the recorded steps.
      expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed" });
      const issuances = await issuancesOf(shop, taskId);
      expect(issuances.map((i) => i.code?.code)).toEqual(["ONCE-1"]);
      const messages = await messagesOf(shop, taskId);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.body).toContain("ONCE-1");
      expect(await shop.db.code.count({ where: { poolId: pool.id, status: "ASSIGNED" } })).toBe(1);
    });
  }

  it("GIVEN a runner that died holding the task WHEN another run comes THEN it waits for the lease to end, then runs once", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["LEASE-1"]);
    const { taskId, scenario } = await scenarioTask(shop, pool.id);
    const t0 = new Date();
    await claimTask(shop.db, shop.id, taskId, { now: t0, dueBy: t0, leaseUntil: new Date(t0.getTime() + 60_000), runner: "dead", actions: scenario.actions });

    const early = await runTask(shop.db, shop.id, taskId, { now: () => new Date(t0.getTime() + 30_000) });
    expect(early).toEqual({ type: "busy", until: new Date(t0.getTime() + 60_001) });
    expect(await issuancesOf(shop, taskId)).toHaveLength(0);

    const later = await runTask(shop.db, shop.id, taskId, { now: () => new Date(t0.getTime() + 61_000) });
    expect(later).toMatchObject({ type: "executed" });
    expect(await issuancesOf(shop, taskId)).toHaveLength(1);
  });

  it("GIVEN two runs of one task at the same time WHEN both start THEN one executes it and the other backs off", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["RACE-1", "RACE-2"]);
    const { taskId } = await scenarioTask(shop, pool.id);
    const results = await Promise.all([runTask(shop.db, shop.id, taskId), runTask(shop.db, shop.id, taskId), runTask(shop.db, shop.id, taskId)]);
    expect(results.filter((r) => r.type === "executed")).toHaveLength(1);
    expect(results.filter((r) => r.type !== "executed").every((r) => r.type === "busy" || r.type === "nothing_to_do")).toBe(true);
    expect(await issuancesOf(shop, taskId)).toHaveLength(1);
    expect(await messagesOf(shop, taskId)).toHaveLength(1);
  });

  it("GIVEN a task not yet due WHEN its job fires THEN nothing runs", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["LATER-1"]);
    const template = await makeTemplate(shop);
    await makeScenario(shop, { delay: { value: 1, unit: "hour" }, actions: [{ type: "generate_code", poolId: pool.id }, { type: "send_message", templateId: template.id }] });
    const order = await makeOrder(shop, (await makeCustomer(shop)).id);
    const result = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
    const taskId = result.type === "processed" ? result.started[0]!.taskId : "";
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "not_due" });
    expect(await issuancesOf(shop, taskId)).toHaveLength(0);
  });

  it("GIVEN a scenario switched off after its task started WHEN the task is due THEN it still runs", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["OFF-1"]);
    const { taskId, scenario } = await scenarioTask(shop, pool.id);
    await setScenarioActive(shop.db, scenario.id, false);
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed" });
    expect(await messagesOf(shop, taskId)).toHaveLength(1);
  });

  it("GIVEN a scenario edited after its task first ran WHEN the task is retried THEN it keeps the actions it started with", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["SNAP-1"]);
    const other = await createPoolWithCodes(shop, ["OTHER-1"]);
    const { taskId, scenario, template } = await scenarioTask(shop, pool.id);
    await expect(runTask(shop.db, shop.id, taskId, { onStep: (s) => { if (s.phase === "before" && s.index === 1) throw new Error("stop"); } })).rejects.toThrow("stop");
    await shop.db.scenario.update({ where: { id: scenario.id }, data: { actions: [{ type: "generate_code", poolId: other.id, expiry: null }, { type: "send_message", templateId: template.id }] } });
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed" });
    expect((await messagesOf(shop, taskId))[0]!.body).toContain("SNAP-1");
    expect(await shop.db.code.findFirstOrThrow({ where: { code: "OTHER-1" } })).toMatchObject({ status: "AVAILABLE" });
  });

  it("GIVEN a deleted scenario WHEN its queued job runs THEN there is nothing to run (its tasks went with it)", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["DEL-1"]);
    const { taskId, scenario } = await scenarioTask(shop, pool.id);
    await deleteScenario(shop.db, scenario.id);
    expect(await runTask(shop.db, shop.id, taskId)).toEqual({ type: "not_found" });
    expect(await shop.db.issuance.count()).toBe(0);
  });

  it("GIVEN a customer redacted while the task waited WHEN it is due THEN it is cancelled and says why", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["RED-1"]);
    const { taskId, customer } = await scenarioTask(shop, pool.id);
    await shop.db.customer.delete({ where: { id: customer.id } });
    expect(await runTask(shop.db, shop.id, taskId)).toEqual({ type: "cancelled", reason: "The customer was removed (data redaction)" });
    expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "CANCELLED" });
  });

  it("GIVEN a shop that uninstalled the app WHEN its task is due THEN it is cancelled, with no code and no message", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["GONE-1"]);
    const { taskId } = await scenarioTask(shop, pool.id);
    await shop.db.shop.updateMany({ data: { uninstalledAt: new Date() } });
    expect(await runTask(shop.db, shop.id, taskId)).toEqual({ type: "cancelled", reason: "The store uninstalled the app" });
    expect(await issuancesOf(shop, taskId)).toHaveLength(0);
  });

  it("GIVEN another shop's task id WHEN run through this shop THEN it is not found and stays pending", async () => {
    const shop = await createTestShop();
    const other = await createTestShop();
    const pool = await createPoolWithCodes(other, ["ISO-1"]);
    const { taskId } = await scenarioTask(other, pool.id);
    expect(await runTask(shop.db, shop.id, taskId)).toEqual({ type: "not_found" });
    expect(await other.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "PENDING" });
  });
});

describe("the run job", () => {
  it("GIVEN a run that keeps failing WHEN attempts remain THEN the task stays pending; on the last attempt it is failed with the error", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["JOB-1"]);
    const { taskId } = await scenarioTask(shop, pool.id);
    const failing = { onStep: () => Promise.reject(new Error("SMTP pool exhausted")) };
    const job = (attemptsMade: number) => ({ id: "j1", attemptsMade, opts: { attempts: 8 } });

    await expect(processRunTask({ shopId: shop.id, taskId }, job(0), failing)).rejects.toThrow("SMTP pool exhausted");
    expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "PENDING", error: null });

    await expect(processRunTask({ shopId: shop.id, taskId }, job(7), failing)).rejects.toThrow("SMTP pool exhausted");
    expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({
      status: "FAILED",
      error: "Failed after 8 attempt(s): SMTP pool exhausted",
      finishedAt: expect.any(Date),
    });
    // A failed task is not run again by a stray job.
    expect(await processRunTask({ shopId: shop.id, taskId }, job(0))).toEqual({ type: "nothing_to_do", status: "FAILED" });
  });

  it("GIVEN a platform error no retry can fix WHEN the run hits it THEN the task is failed at once", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["JOB-2"]);
    const { taskId } = await scenarioTask(shop, pool.id);
    const permanent = { onStep: () => Promise.reject(new PermanentPlatformError("HTTP 401: token revoked", "SHOPIFY")) };
    await expect(processRunTask({ shopId: shop.id, taskId }, { id: "j2", attemptsMade: 0, opts: { attempts: 8 } }, permanent)).rejects.toThrow("token revoked");
    expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "FAILED", error: "Failed after 1 attempt(s): HTTP 401: token revoked" });
  });
});

describe("empty and missing pools", () => {
  async function emptyPool(shop: TestShop, emptyBehavior: "SKIP_MESSAGE" | "SEND_FALLBACK" | "HOLD_UNTIL_REFILLED", fallbackCode: string | null = null) {
    return shop.db.pool.create({ data: { shopId: shop.id, name: `Empty ${emptyBehavior}`, emptyBehavior, fallbackCode } });
  }

  it("GIVEN an empty pool set to skip the message WHEN the task runs THEN no message goes out and the outcome says so", async () => {
    const shop = await createTestShop();
    const pool = await emptyPool(shop, "SKIP_MESSAGE");
    const { taskId } = await scenarioTask(shop, pool.id);
    expect(await runTask(shop.db, shop.id, taskId)).toEqual({
      type: "executed",
      outcome: "“Empty SKIP_MESSAGE” is empty: message skipped (the pool's setting)",
      checkAt: null,
      codeId: null,
    });
    expect(await messagesOf(shop, taskId)).toHaveLength(0);
  });

  it("GIVEN an empty pool set to send a fallback WHEN the task runs THEN the message carries the fallback code and the task lists it", async () => {
    const shop = await createTestShop();
    const pool = await emptyPool(shop, "SEND_FALLBACK", "SORRY-10");
    const { taskId } = await scenarioTask(shop, pool.id);
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed", codeId: null, outcome: expect.stringContaining("fallback code SORRY-10") });
    const [message] = await messagesOf(shop, taskId);
    expect(message!.body).toContain("SORRY-10");
    const page = await listTasks(shop.db, parseTaskFilter(new URLSearchParams()));
    expect(page.tasks[0]).toMatchObject({ id: taskId, code: "SORRY-10" });
  });

  it("GIVEN an empty pool set to hold WHEN the task runs THEN it stays pending for later, and once the pool is refilled it runs with a code", async () => {
    const shop = await createTestShop();
    const pool = await emptyPool(shop, "HOLD_UNTIL_REFILLED");
    const { taskId } = await scenarioTask(shop, pool.id);
    const t0 = new Date();
    const held = await runTask(shop.db, shop.id, taskId, { now: () => t0 });
    expect(held).toEqual({ type: "held", until: new Date(t0.getTime() + HOLD_RETRY_MS), reason: "“Empty HOLD_UNTIL_REFILLED” is empty; the task waits until it is refilled (the pool's setting)" });
    expect(await shop.db.task.findFirstOrThrow({ where: { id: taskId } })).toMatchObject({ status: "PENDING", dueAt: new Date(t0.getTime() + HOLD_RETRY_MS) });
    expect(await messagesOf(shop, taskId)).toHaveLength(0);

    await shop.db.code.create({ data: { shopId: shop.id, poolId: pool.id, code: "REFILL-1", codeKey: "REFILL-1" } });
    const later = new Date(t0.getTime() + HOLD_RETRY_MS + 1000);
    expect(await runTask(shop.db, shop.id, taskId, { now: () => later })).toMatchObject({ type: "executed" });
    expect((await messagesOf(shop, taskId))[0]!.body).toContain("REFILL-1");
  });

  it("GIVEN a pool deleted before the task runs WHEN it runs THEN no code, the step is logged, and the message showing the code is skipped with why, never sent with a blank", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["DELETED-1"], { name: "Retired pool" });
    const { taskId } = await scenarioTask(shop, pool.id);
    await shop.db.pool.update({ where: { id: pool.id }, data: { deletedAt: new Date() } });
    const result = await runTask(shop.db, shop.id, taskId);
    expect(result).toMatchObject({ type: "executed", codeId: null });
    expect(result.type === "executed" && result.outcome).toContain("“Retired pool” no longer exists: no code was issued");
    const [message] = await messagesOf(shop, taskId);
    expect(message).toMatchObject({ status: "SKIPPED", error: "The template shows the run's code, and the run has none: “Retired pool” no longer exists: no code was issued" });
    expect(await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } })).toMatchObject({ status: "AVAILABLE" });
  });

  it("GIVEN a pool deleted before the task runs WHEN its message does not show the run's code THEN the message still goes out", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["DELETED-2"], { name: "Gone pool" });
    const { taskId } = await scenarioTask(shop, pool.id, { templateBody: "Thanks for your order, {{firstName}}." });
    await shop.db.pool.update({ where: { id: pool.id }, data: { deletedAt: new Date() } });
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed", codeId: null });
    const [message] = await messagesOf(shop, taskId);
    expect(message).toMatchObject({ status: "QUEUED" });
    expect(message!.body).toContain("Thanks for your order");
  });

  it("GIVEN a customer without an email address WHEN a task whose only message is an email runs THEN no code is taken from the pool for them, and the skip says why", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["KEEP-1"], { name: "Welcome" });
    const { taskId, customer } = await scenarioTask(shop, pool.id);
    // Known from the storefront only (a pixel login): no address yet.
    await shop.db.customer.update({ where: { id: customer.id }, data: { email: null } });
    const result = await runTask(shop.db, shop.id, taskId);
    expect(result).toMatchObject({ type: "executed", codeId: null });
    expect(result.type === "executed" && result.outcome).toContain("The customer has no email address, and nothing else carries a code to them");
    expect(await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id } })).toMatchObject({ status: "AVAILABLE", customerId: null });
    expect(await shop.db.issuance.count()).toBe(0);
    expect(await messagesOf(shop, taskId)).toHaveLength(0);
  });

  it("GIVEN a dynamic pool removed altogether WHEN the task runs THEN the same: no code, logged, the message showing it skipped", async () => {
    const shop = await createTestShop();
    const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Birthday", kind: "DYNAMIC" } });
    const { taskId } = await scenarioTask(shop, pool.id);
    await shop.db.pool.delete({ where: { id: pool.id } });
    const result = await runTask(shop.db, shop.id, taskId);
    expect(result.type === "executed" && result.outcome).toContain("The pool no longer exists: no code was issued");
    expect(await messagesOf(shop, taskId)).toMatchObject([{ status: "SKIPPED" }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Campaign runs

async function campaignTask(actions: unknown[], options: { channel?: Channel } = {}) {
  const shop = await createTestShop({ seed: true });
  const found = (await simulator().graphql(shop.domain, "{ customers(first: 1) { nodes { id email } } }")) as {
    data: { customers: { nodes: { id: string; email: string | null }[] } };
  };
  const simCustomer = found.data.customers.nodes[0]!;
  const customer = await shop.db.customer.create({ data: { shopId: shop.id, platformId: simCustomer.id, email: simCustomer.email ?? "c@example.com", firstName: "Cam" } });
  const pool = await createPoolWithCodes(shop, ["CAMP-1", "CAMP-2"], { name: "Campaign pool" });
  const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "Camp", channel: options.channel ?? "EMAIL", subject: "Hi", body: "Code {{promoCode}}" } });
  const resolved = JSON.parse(JSON.stringify(actions).replaceAll("$POOL", pool.id).replaceAll("$TEMPLATE", template.id)) as unknown[];
  const campaign = await shop.db.campaign.create({ data: { shopId: shop.id, name: "Welcome", status: "ACTIVE", actions: resolved as object[] } });
  const task = await shop.db.task.create({
    data: { shopId: shop.id, campaignId: campaign.id, customerId: customer.id, dueAt: new Date(), dedupeKey: `campaign:${campaign.id}:${customer.id}`, context: { triggeredProducts: [] } },
  });
  return { shop, customer, pool, campaign, taskId: task.id, simCustomerId: simCustomer.id };
}

describe("running a campaign task", () => {
  it("GIVEN a campaign entry triggered by two products WHEN its message lists them with links THEN each links to its page on the shop's domain (the home page for one never viewed)", async () => {
    const { shop, taskId } = await campaignTask([
      { type: "issue_code", poolId: "$POOL" },
      { type: "send_message", templateId: "$TEMPLATE" },
    ]);
    await shop.db.messageTemplate.updateMany({
      data: { body: '<p>{{promoCode}}</p>{{#triggeredProducts}}<a href="{{product.url}}">{{product.title}}</a>;{{/triggeredProducts}}' },
    });
    await shop.db.product.create({ data: { shopId: shop.id, platformId: "gid://shopify/Product/11", title: "Hat", url: "/products/hat" } });
    await shop.db.product.create({ data: { shopId: shop.id, platformId: "gid://shopify/Product/12", title: "Scarf" } });
    await shop.db.task.update({ where: { id: taskId }, data: { context: { triggeredProducts: ["gid://shopify/Product/11", "gid://shopify/Product/12"] } } });
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed" });
    const [message] = await messagesOf(shop, taskId);
    expect(message?.body).toContain(`<a href="https://${shop.domain}/products/hat">Hat</a>;<a href="https://${shop.domain}/">Scarf</a>;`);
  });

  it("GIVEN a customer without an email address WHEN the campaign run also writes the code to a customer metafield THEN the code is issued (the metafield carries it); without the metafield it is not, and the skip is counted", async () => {
    const carried = await campaignTask([
      { type: "issue_code", poolId: "$POOL" },
      { type: "send_message", templateId: "$TEMPLATE" },
      { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
    ]);
    await carried.shop.db.customer.update({ where: { id: carried.customer.id }, data: { email: null } });
    const { client } = clientWithFlow(carried.shop, () => "ok");
    expect(await runTask(carried.shop.db, carried.shop.id, carried.taskId, { shopifyClient: async () => client })).toMatchObject({ type: "executed" });
    expect(await issuancesOf(carried.shop, carried.taskId)).toMatchObject([{ code: { code: "CAMP-1" } }]);

    const lost = await campaignTask([
      { type: "issue_code", poolId: "$POOL" },
      { type: "send_message", templateId: "$TEMPLATE" },
      { type: "add_tags", tags: ["promo-sent"] },
    ]);
    await lost.shop.db.customer.update({ where: { id: lost.customer.id }, data: { email: null } });
    const { client: tagsClient } = clientWithFlow(lost.shop, () => "ok");
    expect(await runTask(lost.shop.db, lost.shop.id, lost.taskId, { shopifyClient: async () => tagsClient })).toMatchObject({ type: "executed" });
    expect(await issuancesOf(lost.shop, lost.taskId)).toEqual([]);
    expect(await lost.shop.db.campaign.findFirstOrThrow({ where: { id: lost.campaign.id } })).toMatchObject({ skippedCount: 1 });
  });

  it("GIVEN issue, message, tags, metafield and Flow WHEN the run executes THEN each happens once, the store holds the tag and the code, and Flow got code, pool and customer", async () => {
    const { shop, campaign, taskId, simCustomerId, customer } = await campaignTask([
      { type: "issue_code", poolId: "$POOL" },
      { type: "send_message", templateId: "$TEMPLATE" },
      { type: "add_tags", tags: ["promo-sent"] },
      { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
      { type: "flow_trigger" },
    ]);
    const { calls, client } = clientWithFlow(shop, () => "ok");
    expect(await runTask(shop.db, shop.id, taskId, { shopifyClient: async () => client })).toMatchObject({ type: "executed", outcome: null });

    const issuances = await issuancesOf(shop, taskId);
    expect(issuances).toMatchObject([{ source: `campaign:${campaign.id}`, code: { code: "CAMP-1" } }]);
    expect(await shop.db.message.findMany({ where: { taskId } })).toMatchObject([{ campaignId: campaign.id, dedupeKey: `task:${taskId}:msg:1` }]);
    const stored = (await simulator().graphql(shop.domain, `{ customer(id: "${simCustomerId}") { tags metafield(namespace: "promo_codes", key: "last_code") { value } } }`)) as {
      data: { customer: { tags: string[]; metafield: { value: string } | null } };
    };
    expect(stored.data.customer.tags).toContain("promo-sent");
    expect(stored.data.customer.metafield?.value).toBe("CAMP-1");
    expect(calls).toEqual([
      {
        handle: "promo-code-issued",
        payload: expect.objectContaining({ "Promo code": "CAMP-1", "Pool name": "Campaign pool", "Customer email": customer.email, customer_id: Number(simCustomerId.split("/").pop()) }),
      },
    ]);
  });

  it("GIVEN a Flow trigger whose answer is lost WHEN the job retries THEN it is not sent a second time and the outcome says it is unconfirmed", async () => {
    const { shop, taskId } = await campaignTask([{ type: "issue_code", poolId: "$POOL" }, { type: "flow_trigger" }]);
    const { calls, client } = clientWithFlow(shop, () => "lost");
    await expect(runTask(shop.db, shop.id, taskId, { shopifyClient: async () => client })).rejects.toThrow(/socket hang up/);
    const retry = await runTask(shop.db, shop.id, taskId, { shopifyClient: async () => client });
    expect(retry).toMatchObject({ type: "executed", outcome: expect.stringContaining("not sent twice") });
    expect(calls).toHaveLength(1);
  });

  it("GIVEN a throttled Flow trigger (Shopify did not run it) WHEN the job retries THEN it is sent then, once", async () => {
    const { shop, taskId } = await campaignTask([{ type: "issue_code", poolId: "$POOL" }, { type: "flow_trigger" }]);
    let attempt = 0;
    const { calls, client } = clientWithFlow(shop, () => (++attempt === 1 ? "throttled" : "ok"));
    await expect(runTask(shop.db, shop.id, taskId, { shopifyClient: async () => client })).rejects.toThrow(/Throttled/);
    expect(await runTask(shop.db, shop.id, taskId, { shopifyClient: async () => client })).toMatchObject({ type: "executed", outcome: null });
    expect(calls).toHaveLength(1);
  });

  it("GIVEN an empty pool set to skip WHEN a campaign run skips its message, even over a retry, THEN the campaign counts the skip once and passes no code on", async () => {
    const { shop, pool, campaign, taskId } = await campaignTask([
      { type: "issue_code", poolId: "$POOL" },
      { type: "send_message", templateId: "$TEMPLATE" },
      { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
    ]);
    await shop.db.code.deleteMany({ where: { poolId: pool.id } });
    const { client } = clientWithFlow(shop, () => "ok");
    await expect(runTask(shop.db, shop.id, taskId, { shopifyClient: async () => client, onStep: (s) => { if (s.index === 0 && s.phase === "after") throw new Error("crash"); } })).rejects.toThrow("crash");
    const result = await runTask(shop.db, shop.id, taskId, { shopifyClient: async () => client });
    expect(result).toMatchObject({ type: "executed", outcome: expect.stringContaining("message skipped") });
    expect(result).toMatchObject({ outcome: expect.stringContaining("write_metafield: no code to pass on") });
    expect(await shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).toMatchObject({ skippedCount: 1 });
    expect(await shop.db.message.count({ where: { taskId } })).toBe(0);
  });

  it("GIVEN a Magento store WHEN a campaign run has Shopify-only actions THEN they are skipped with the reason and the rest runs", async () => {
    const { shop, taskId } = await campaignTask([{ type: "issue_code", poolId: "$POOL" }, { type: "add_tags", tags: ["x"] }]);
    await shop.db.shop.updateMany({ data: { platform: "MAGENTO" } });
    expect(await runTask(shop.db, shop.id, taskId)).toMatchObject({ type: "executed", outcome: "add_tags: a Shopify-only action (this store is on magento)" });
    expect(await issuancesOf(shop, taskId)).toHaveLength(1);
  });
});

describe("dynamic pools", () => {
  it("GIVEN a dynamic pool expiring 7 days after issue WHEN the task runs, fails once the code exists and is retried THEN one discount on the store, ending 7 days after execution", async () => {
    const shop = await dynamicShop(1);
    const pool = await dynamicPool(shop, { value: { type: "percentage", percent: 10 }, expiry: { type: "after", amount: 7, unit: "days" } }, "Thank-you 10%");
    const template = await makeTemplate(shop);
    await makeScenario(shop, { actions: [{ type: "generate_code", poolId: pool.id }, { type: "send_message", templateId: template.id }] });
    const order = await makeOrder(shop, shop.customers[0]!);
    const started = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
    const taskId = started.type === "processed" ? started.started[0]!.taskId : "";
    const executedAt = new Date();
    const options = { now: () => executedAt, dynamic: { now: () => executedAt, sleep: async () => undefined } };

    await expect(runTask(shop.db, shop.id, taskId, { ...options, onStep: (s) => { if (s.index === 0 && s.phase === "performed") throw new Error("killed"); } })).rejects.toThrow("killed");
    expect(await runTask(shop.db, shop.id, taskId, options)).toMatchObject({ type: "executed", outcome: null });

    const [issuance] = await issuancesOf(shop, taskId);
    expect(await issuancesOf(shop, taskId)).toHaveLength(1);
    expect(issuance!.code).toMatchObject({ status: "ASSIGNED", expiresAt: new Date(executedAt.getTime() + 7 * 86_400_000) });
    expect(appDiscounts(shop)).toHaveLength(1);
    expect((await messagesOf(shop, taskId))[0]!.body).toContain(issuance!.code!.code);
  });

  it("GIVEN an expiry set on the action of a dynamic pool WHEN the task runs THEN the code ends that long after the execution, on the platform too", async () => {
    const shop = await dynamicShop(1);
    const pool = await dynamicPool(shop, { value: { type: "percentage", percent: 10 } }, "Open-ended");
    await makeScenario(shop, { actions: [{ type: "generate_code", poolId: pool.id, expiry: { value: 3, unit: "day" } }] });
    const order = await makeOrder(shop, shop.customers[0]!);
    const started = await onOrderEvent(shop.db, shop.id, "orders/paid", order.id);
    const taskId = started.type === "processed" ? started.started[0]!.taskId : "";
    const executedAt = new Date();
    const options = { now: () => executedAt, dynamic: { now: () => executedAt, sleep: async () => undefined } };
    expect(await runTask(shop.db, shop.id, taskId, options)).toMatchObject({ type: "executed", outcome: null });
    const ends = new Date(executedAt.getTime() + 3 * 86_400_000);
    expect((await issuancesOf(shop, taskId))[0]!.code).toMatchObject({ expiresAt: ends });
    const [discount] = appDiscounts(shop);
    // The store keeps whole seconds.
    expect(Math.abs(Date.parse(discount?.endsAt ?? "") - ends.getTime())).toBeLessThan(1000);
  });
});
