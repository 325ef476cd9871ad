// The Campaigns admin pages in Chromium: building a campaign with the form (field errors next to the fields),
// starting it for the members already in the segment, pausing it, and its results card. Starting for current
// members, stopping and deleting a draft are confirmed in a modal first.
import { describe, expect, it } from "vitest";
import { recordRedemptions } from "../../app/services/redemptions.server";
import { seedDemoShop } from "../../simulator/shopify";
import { adminBrowserForFile } from "../support/browser-stack";
import { screenshot, openHydrated } from "../support/browser";
import { createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop, type TestShop } from "../support/shops";

const admin = adminBrowserForFile({ viewport: { width: 1280, height: 1000 } });
const openAdmin = admin.openAdmin;

const open = openHydrated;

async function seed(shop: TestShop) {
  const customers = await createCustomers(shop, 3);
  const segment = await shop.db.segment.create({ data: { shopId: shop.id, name: "Viewed a hat twice", rules: {}, memberCount: 2 } });
  for (const customerId of customers.slice(0, 2)) {
    await shop.db.segmentMembership.create({ data: { shopId: shop.id, segmentId: segment.id, customerId } });
    await shop.db.segmentTransition.create({ data: { shopId: shop.id, segmentId: segment.id, customerId, kind: "ENTER" } });
  }
  const pool = await createPoolWithCodes(shop, ["HAT-1", "HAT-2", "HAT-3"], { name: "Hat codes" });
  const template = await shop.db.messageTemplate.create({
    data: { shopId: shop.id, name: "Hat email", channel: "EMAIL", subject: "A code for you", body: "Use {{promoCode}}" },
  });
  return { customers, segment, pool, template };
}

describe("Campaigns admin in Chromium", () => {
  it("GIVEN a segment, a pool and a template WHEN the merchant builds and starts a campaign THEN current members get runs and the page shows it active", async () => {
    const shop = await createTestShop();
    const { customers, pool } = await seed(shop);
    const { page, errors, url } = await openAdmin(shop);

    await open(page, url("/app/campaigns"));
    await page.getByText("Send a code when a customer enters a segment").waitFor();
    await page.getByRole("link", { name: "New campaign" }).first().click();
    await page.waitForURL(/\/app\/campaigns\/new\?/);

    // Saving without a segment or pool puts the errors next to the fields.
    await page.getByLabel("Name").fill("Hat lovers");
    await page.getByRole("button", { name: "Save campaign" }).click();
    await page.getByText("Pick a segment").last().waitFor();
    await page.getByText("Pick a pool").last().waitFor();

    await page.getByLabel("Runs when a customer enters").selectOption({ label: "Viewed a hat twice (2 members)" });
    await page.getByLabel("Pool").selectOption({ label: "Hat codes" });
    await page.getByLabel("Message template").selectOption({ label: "Hat email (email)" });
    await page.getByLabel("Add an action").selectOption({ label: "Tag the customer" });
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByLabel("Tags").fill("hat-lover, promo");
    await screenshot(page, "campaign-form");
    await page.getByRole("button", { name: "Save campaign" }).click();
    await page.waitForURL(/\/app\/campaigns\/[0-9a-f-]{36}\?/);
    await page.getByText("Issue a code from Hat codes").waitFor();
    await page.getByText("Tag the customer: hat-lover, promo").waitFor();

    await page.getByRole("button", { name: "Start" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("2 members already in Viewed a hat twice get a code and a message now.").waitFor();
    await dialog.getByRole("button", { name: "Start campaign" }).click();
    await page.getByText("Started. 2 customers already in the segment get a run now.").waitFor();
    await page.locator(".Polaris-Badge", { hasText: "Active" }).first().waitFor();
    const campaign = await shop.db.campaign.findFirstOrThrow();
    expect(campaign.status).toBe("ACTIVE");
    const runs = await shop.db.task.findMany({ where: { campaignId: campaign.id } });
    expect(runs.map((r) => r.customerId).sort()).toEqual(customers.slice(0, 2).sort());

    // The stack's worker runs them: each member gets a code from the pool. One is then used in an order.
    const deadline = Date.now() + 30_000;
    while ((await shop.db.task.count({ where: { campaignId: campaign.id, status: "PENDING" } })) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const issuedToFirst = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, customerId: customers[0]! } });
    const order = await shop.db.order.create({
      data: { shopId: shop.id, platformId: "gid://shopify/Order/42", customerId: customers[0]!, totalPrice: "120.00", placedAt: new Date() },
    });
    await recordRedemptions(shop.db, shop.id, { orderId: order.id, customerId: customers[0]!, orderTotal: "120.00", placedAt: new Date(), codes: [{ code: issuedToFirst.code, amount: "12" }] });
    await page.reload({ waitUntil: "networkidle" });
    const results = page.getByRole("region", { name: "Results" });
    await results.getByText("$120.00").waitFor();
    await results.getByText("50.0%").waitFor();
    await expect(results.locator("svg[role=img] title").first().textContent()).resolves.toContain("codes issued and redeemed per day");
    await screenshot(page, "campaign-active");

    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByText("Paused: customers who enter the segment now get nothing").waitFor();
    await expect(shop.db.campaign.findFirstOrThrow()).resolves.toMatchObject({ status: "PAUSED" });

    await open(page, url("/app/campaigns"));
    const row = page.locator(".Polaris-IndexTable__TableRow", { hasText: "Hat lovers" });
    await row.getByText("Paused").waitFor();
    await row.getByText("$120.00").waitFor();
    expect(errors).toEqual([]);
  });

  it("GIVEN a draft campaign that also runs for the segment's current members WHEN the merchant clicks Start THEN a modal says how many members get a code and a message now, and cancelling starts nothing", async () => {
    const shop = await createTestShop();
    const { segment, pool, template } = await seed(shop);
    const campaign = await shop.db.campaign.create({
      data: {
        shopId: shop.id, name: "Hat welcome", segmentId: segment.id, includeExisting: true,
        actions: [{ type: "issue_code", poolId: pool.id }, { type: "send_message", templateId: template.id }],
      },
    });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/campaigns/${campaign.id}`));

    await page.getByRole("button", { name: "Start" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText('Start "Hat welcome"?').waitFor();
    await dialog.getByText("2 members already in Viewed a hat twice get a code and a message now.").waitFor();
    await screenshot(page, "campaign-start-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.waitForTimeout(500); // a submission the click made would have landed by now
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ status: "DRAFT", startedAt: null });
    await expect(shop.db.task.count({ where: { campaignId: campaign.id } })).resolves.toBe(0);
    await expect(shop.db.code.count({ where: { poolId: pool.id, status: "ASSIGNED" } })).resolves.toBe(0);
    await expect(page.getByText(/^Started\./).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it("GIVEN a draft campaign only for customers who enter later WHEN the merchant clicks Start THEN it starts without asking, since nobody gets anything at once", async () => {
    const shop = await createTestShop();
    const { segment, pool } = await seed(shop);
    const campaign = await shop.db.campaign.create({
      data: { shopId: shop.id, name: "Hat newcomers", segmentId: segment.id, includeExisting: false, actions: [{ type: "issue_code", poolId: pool.id }] },
    });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/campaigns/${campaign.id}`));
    await page.getByRole("button", { name: "Start" }).click();
    await page.getByText("Started. 0 customers already in the segment get a run now.").waitFor();
    await expect(page.getByRole("dialog").count()).resolves.toBe(0);
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ status: "ACTIVE" });
    expect(errors).toEqual([]);
  });

  it("GIVEN an active campaign WHEN the merchant clicks Stop THEN a modal says stopping is final and offers Pause; cancelling changes nothing and Pause instead pauses it", async () => {
    const shop = await createTestShop();
    const { customers, segment, pool } = await seed(shop);
    const campaign = await shop.db.campaign.create({
      data: { shopId: shop.id, name: "Hat loyalty", status: "ACTIVE", startedAt: new Date(), segmentId: segment.id, actions: [{ type: "issue_code", poolId: pool.id }] },
    });
    const waiting = await shop.db.task.create({
      data: { shopId: shop.id, campaignId: campaign.id, customerId: customers[0]!, dueAt: new Date(Date.now() + 86_400_000) },
    });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/campaigns/${campaign.id}`));

    await page.getByRole("button", { name: "Stop", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText('Stop "Hat loyalty"?').waitFor();
    await dialog.getByText("Stopping is final: the campaign can't be restarted or edited afterwards.").waitFor();
    await dialog.getByText("Runs not done yet are cancelled, and its messages still queued are skipped.").waitFor();
    await dialog.getByText(/^Runs already done stay/).waitFor();
    await dialog.getByText(/pause it instead/).waitFor();
    await screenshot(page, "campaign-stop-confirm");

    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.waitForTimeout(500); // a submission the click made would have landed by now
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ status: "ACTIVE", finishedAt: null });
    await expect(shop.db.task.findFirstOrThrow({ where: { id: waiting.id } })).resolves.toMatchObject({ status: "PENDING" });

    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await dialog.getByRole("button", { name: "Pause instead" }).click();
    await page.getByText("Paused: customers who enter the segment now get nothing").waitFor();
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ status: "PAUSED" });
    await expect(shop.db.task.findFirstOrThrow({ where: { id: waiting.id } })).resolves.toMatchObject({ status: "PENDING" });
    expect(errors).toEqual([]);
  });

  it("GIVEN a paused campaign with a run done, a run waiting and a queued message WHEN the merchant confirms Stop THEN the waiting run is cancelled, the message skipped, the done run stays, and it can no longer be edited or stopped", async () => {
    const shop = await createTestShop();
    const { customers, segment, pool, template } = await seed(shop);
    const campaign = await shop.db.campaign.create({
      data: { shopId: shop.id, name: "Hat clearance", status: "PAUSED", startedAt: new Date(), segmentId: segment.id, actions: [{ type: "issue_code", poolId: pool.id }] },
    });
    const done = await shop.db.task.create({
      data: { shopId: shop.id, campaignId: campaign.id, customerId: customers[0]!, status: "EXECUTED", dueAt: new Date(), executedAt: new Date() },
    });
    const waiting = await shop.db.task.create({
      data: { shopId: shop.id, campaignId: campaign.id, customerId: customers[1]!, dueAt: new Date(Date.now() + 86_400_000) },
    });
    // Not before tomorrow, so the stack's sender leaves it queued.
    const queued = await shop.db.message.create({
      data: {
        shopId: shop.id, campaignId: campaign.id, taskId: waiting.id, templateId: template.id, customerId: customers[1]!, channel: "EMAIL",
        recipient: "hat@example.com", body: "Use HAT-2", dedupeKey: `test:${waiting.id}`, sentAt: new Date(Date.now() + 86_400_000),
      },
    });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/campaigns/${campaign.id}`));
    await expect(page.getByRole("link", { name: "Edit", exact: true }).count()).resolves.toBe(1);

    await page.getByRole("button", { name: "Stop", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Stopping is final: the campaign can't be restarted or edited afterwards.").waitFor();
    // Paused already: there is no gentler choice to offer.
    await expect(dialog.getByRole("button", { name: "Pause instead" }).count()).resolves.toBe(0);
    await dialog.getByRole("button", { name: "Stop campaign" }).click();
    await page.locator(".Polaris-Badge", { hasText: "Stopped" }).first().waitFor();

    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ status: "STOPPED", finishedAt: expect.any(Date) });
    await expect(shop.db.task.findFirstOrThrow({ where: { id: waiting.id } })).resolves.toMatchObject({ status: "CANCELLED" });
    await expect(shop.db.task.findFirstOrThrow({ where: { id: done.id } })).resolves.toMatchObject({ status: "EXECUTED" });
    await expect(shop.db.message.findFirstOrThrow({ where: { id: queued.id } })).resolves.toMatchObject({ status: "SKIPPED" });
    await expect(page.getByRole("button", { name: "Stop", exact: true }).count()).resolves.toBe(0);
    await expect(page.getByRole("link", { name: "Edit", exact: true }).count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it("GIVEN a draft campaign WHEN its page is open THEN it offers Delete instead of Stop; cancelling keeps the draft and confirming deletes it", async () => {
    const shop = await createTestShop();
    const { segment, pool } = await seed(shop);
    const campaign = await shop.db.campaign.create({
      data: { shopId: shop.id, name: "Hat draft", segmentId: segment.id, actions: [{ type: "issue_code", poolId: pool.id }] },
    });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/campaigns/${campaign.id}`));
    await page.getByRole("button", { name: "Start" }).waitFor();
    await expect(page.getByRole("button", { name: "Stop", exact: true }).count()).resolves.toBe(0);

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText('Delete "Hat draft"?').waitFor();
    await dialog.getByText("This draft has never run, so no customer got anything from it. Deleting it cannot be undone.").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.waitForTimeout(500); // a submission the click made would have landed by now
    await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ status: "DRAFT" });

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await dialog.getByRole("button", { name: "Delete campaign" }).click();
    await page.waitForURL(/\/app\/campaigns\?.*deleted=/);
    await page.getByText('Campaign "Hat draft" deleted').waitFor();
    await expect(shop.db.campaign.count({ where: { id: campaign.id } })).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it("GIVEN a sent broadcast whose tags and metafield Shopify sets in bulk WHEN its page is open THEN it shows the progress, then who Shopify refused, as the parts finish", async () => {
    const shop = await createTestShop();
    const { customers, segment, pool, template } = await seed(shop);
    const campaign = await shop.db.campaign.create({
      data: {
        shopId: shop.id,
        name: "Hat broadcast",
        kind: "BROADCAST",
        status: "ACTIVE",
        segmentId: segment.id,
        startedAt: new Date(),
        finishedAt: new Date(),
        recipientsTotal: 2,
        recipientsDone: 2,
        actions: [
          { type: "add_tags", tags: ["hat-lover"] },
          { type: "issue_code", poolId: pool.id },
          { type: "send_message", templateId: template.id },
          { type: "write_metafield", namespace: "promo_codes", key: "last_code" },
        ],
      },
    });
    await shop.db.customer.update({ where: { id: customers[1]! }, data: { firstName: "Ada", lastName: "Hatter" } });
    await shop.db.bulkActionRun.create({
      data: {
        shopId: shop.id, campaignId: campaign.id, kind: "TAGS", part: 0, status: "SUCCEEDED", customerIds: customers.slice(0, 2),
        processed: 2, succeeded: 1, failed: 1, failures: [{ customerId: customers[1]!, message: "Customer does not exist" }], finishedAt: new Date(),
      },
    });
    const metafield = await shop.db.bulkActionRun.create({
      data: { shopId: shop.id, campaignId: campaign.id, kind: "METAFIELD", part: 0, status: "RUNNING", customerIds: customers.slice(0, 2), processed: 1, operationId: "gid://shopify/BulkOperation/1" },
    });
    const { page, errors, url } = await openAdmin(shop);

    await open(page, url(`/app/campaigns/${campaign.id}`));
    await page.getByRole("heading", { name: "Shopify updates" }).waitFor();
    await page.getByText("1 of 2 members updated, 1 refused by Shopify.").waitFor();
    await page.getByText("Ada Hatter: Customer does not exist").waitFor();
    await page.getByText("Shopify is updating 2 members in bulk: 0 of 1 parts done.").waitFor();
    await screenshot(page, "broadcast-bulk-actions");

    // The page keeps reading while a part runs: the finished part shows without a reload.
    await shop.db.bulkActionRun.update({ where: { id: metafield.id }, data: { status: "SUCCEEDED", processed: 2, succeeded: 2, finishedAt: new Date() } });
    await page.getByText("2 of 2 members updated.").waitFor();
    expect(errors).toEqual([]);
  });

  it("GIVEN a broadcast built in the form WHEN the merchant sends it THEN the stack's worker tags its members and writes their codes through Shopify bulk operations", async () => {
    // The shop exists in the stack's store simulator too, with customers the app knows by their Shopify ids: the
    // worker's own Admin API client stages the files, starts the operations and reads their results through msw.
    const shop = await createTestShop();
    const simulator = admin.stack.simulator;
    simulator.registerShop({ domain: shop.domain, accessToken: shop.accessToken, plan: "standard", name: "Bulk Outfitters" });
    seedDemoShop(simulator, { domain: shop.domain });
    const found = (await simulator.graphql(shop.domain, "{ customers(first: 2) { nodes { id email } } }")) as {
      data: { customers: { nodes: { id: string; email: string }[] } };
    };
    const members = [];
    for (const [i, c] of found.data.customers.nodes.entries()) {
      members.push(await shop.db.customer.create({ data: { shopId: shop.id, platformId: c.id, email: c.email, firstName: `Member ${i}` } }));
    }
    const segment = await shop.db.segment.create({ data: { shopId: shop.id, name: "Winter list", rules: {}, memberCount: 2 } });
    for (const m of members) await shop.db.segmentMembership.create({ data: { shopId: shop.id, segmentId: segment.id, customerId: m.id } });
    const pool = await createPoolWithCodes(shop, ["SNOW-1", "SNOW-2", "SNOW-3"], { name: "Snow codes" });
    await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "Snow email", channel: "EMAIL", subject: "Snow", body: "Use {{promoCode}}" } });
    const { page, errors, url } = await openAdmin(shop);

    await open(page, url("/app/campaigns/new?kind=broadcast"));
    await page.getByLabel("Name").fill("Winter broadcast");
    await page.getByLabel("Send to every current member of").selectOption({ label: "Winter list (2 members)" });
    await page.getByLabel("Pool").selectOption({ label: "Snow codes" });
    await page.getByLabel("Message template").selectOption({ label: "Snow email (email)" });
    await page.getByLabel("Add an action").selectOption({ label: "Tag the customer" });
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByLabel("Tags").fill("winter-2026");
    await page.getByLabel("Add an action").selectOption({ label: "Write the code to a customer metafield" });
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("button", { name: "Save broadcast" }).click();
    await page.waitForURL(/\/app\/campaigns\/[0-9a-f-]{36}\?/);
    // Sending to a whole segment at once asks first, saying to how many.
    await page.getByRole("button", { name: "Send now" }).click();
    const confirm = page.getByRole("dialog");
    await confirm.getByText(/^Every one of the 2 members of .+ gets a code and a message, starting at once\.$/).waitFor();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    await page.waitForTimeout(500);
    await expect(shop.db.campaign.findFirstOrThrow({ where: { name: "Winter broadcast" }, select: { status: true } })).resolves.toEqual({ status: "DRAFT" });
    await page.getByRole("button", { name: "Send now" }).click();
    await confirm.getByRole("button", { name: "Send now" }).click();

    // The page re-reads itself while the broadcast and then Shopify's bulk operations run (a look every 10 s).
    await page.getByRole("heading", { name: "Shopify updates" }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByText("2 of 2 members updated.").count(), { timeout: 45_000 }).toBe(2);
    await screenshot(page, "broadcast-bulk-actions-sent");

    const campaign = await shop.db.campaign.findFirstOrThrow({ where: { name: "Winter broadcast" } });
    expect(await shop.db.bulkActionRun.findMany({ where: { campaignId: campaign.id }, select: { kind: true, status: true, succeeded: true, attempts: true }, orderBy: { kind: "asc" } }))
      .toEqual([
        { kind: "TAGS", status: "SUCCEEDED", succeeded: 2, attempts: 1 },
        { kind: "METAFIELD", status: "SUCCEEDED", succeeded: 2, attempts: 1 },
      ]);
    // In the store: each member tagged, with the code they were issued in the metafield.
    for (const m of members) {
      const code = await shop.db.code.findFirstOrThrow({ where: { poolId: pool.id, customerId: m.id } });
      const stored = (await simulator.graphql(
        shop.domain,
        `{ customer(id: "${m.platformId}") { tags metafield(namespace: "promo_codes", key: "last_code") { value } } }`,
      )) as { data: { customer: { tags: string[]; metafield: { value: string } | null } } };
      expect(stored.data.customer.tags).toContain("winter-2026");
      expect(stored.data.customer.metafield?.value).toBe(code.code);
    }
    expect(errors).toEqual([]);
  });

  it("GIVEN a broadcast still sending WHEN the merchant stops it THEN the modal says unsent members get nothing, and confirming stops it", async () => {
    const shop = await createTestShop();
    const { segment, pool } = await seed(shop);
    const campaign = await shop.db.campaign.create({
      data: {
        shopId: shop.id,
        name: "Mistaken blast",
        kind: "BROADCAST",
        status: "ACTIVE",
        segmentId: segment.id,
        actions: [{ type: "issue_code", poolId: pool.id }],
        recipientsTotal: 100_000,
        recipientsDone: 1_000,
      },
    });
    const { page, errors, url } = await openAdmin(shop);
    await open(page, url(`/app/campaigns/${campaign.id}`));
    await page.getByText("1,000 of 100,000 members handled").waitFor();
    await page.getByRole("button", { name: "Stop" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Members not reached yet get nothing: the broadcast's messages still queued are skipped.").waitFor();
    await dialog.getByRole("button", { name: "Stop campaign" }).click();
    await expect.poll(async () => (await shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).status).toBe("STOPPED");
    expect(errors).toEqual([]);
  });

  it("GIVEN another shop's campaign WHEN its page is opened THEN it is not found", async () => {
    const owner = await createTestShop();
    const { segment, pool } = await seed(owner);
    const campaign = await owner.db.campaign.create({
      data: { shopId: owner.id, name: "Private", segmentId: segment.id, actions: [{ type: "issue_code", poolId: pool.id }] },
    });
    const intruder = await createTestShop();
    const { page, url } = await openAdmin(intruder);
    const response = await open(page, url(`/app/campaigns/${campaign.id}`));
    expect(response?.status()).toBe(404);
    await page.getByText("This campaign does not exist").waitFor();
  });
});
