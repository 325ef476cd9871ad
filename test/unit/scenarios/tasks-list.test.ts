// The tasks page's query: filters (status, scenario or campaign, created-on date range), pages of 50, and what
// each row shows; a filter it cannot read is simply not applied.
import { describe, expect, it } from "vitest";
import { listTasks, parseTaskFilter, TASK_PAGE_SIZE } from "../../../app/services/tasks/tasks.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";
import { makeCustomer, makeOrder, makeScenario } from "./helpers";

async function setup() {
  const shop = await createTestShop();
  const pool = await createPoolWithCodes(shop, ["L-1"]);
  const scenario = await makeScenario(shop, { name: "Thanks", actions: [{ type: "generate_code", poolId: pool.id }] });
  const campaign = await shop.db.campaign.create({ data: { shopId: shop.id, name: "Welcome" } });
  const ada = await makeCustomer(shop, "Ada");
  const order = await makeOrder(shop, ada.id, { name: "#1042" });
  const at = (day: string) => new Date(`${day}T12:00:00Z`);
  await shop.db.task.createMany({
    data: [
      { shopId: shop.id, scenarioId: scenario.id, customerId: ada.id, orderId: order.id, status: "PENDING", dueAt: at("2026-11-03"), createdAt: at("2026-11-01") },
      { shopId: shop.id, scenarioId: scenario.id, customerId: ada.id, status: "CANCELLED", dueAt: at("2026-11-05"), createdAt: at("2026-11-05"), outcome: "The trigger order is cancelled" },
      { shopId: shop.id, campaignId: campaign.id, customerId: ada.id, status: "FAILED", dueAt: at("2026-11-10"), createdAt: at("2026-11-10"), error: "Failed after 8 attempt(s): boom" },
    ],
  });
  return { shop, scenario, campaign, ada, order };
}

const filter = (query: Record<string, string>) => parseTaskFilter(new URLSearchParams(query));

describe("the tasks list", () => {
  it("GIVEN tasks of a scenario and a campaign WHEN listed without filters THEN all of them, newest first, with scenario or campaign, customer and order", async () => {
    const { shop, scenario, campaign, ada, order } = await setup();
    const { tasks, total } = await listTasks(shop.db, filter({}));
    expect(total).toBe(3);
    expect(tasks.map((t) => t.status)).toEqual(["FAILED", "CANCELLED", "PENDING"]);
    expect(tasks[0]).toMatchObject({ campaign: { id: campaign.id, name: "Welcome" }, scenario: null, error: "Failed after 8 attempt(s): boom" });
    expect(tasks[2]).toMatchObject({ scenario: { id: scenario.id, name: "Thanks" }, customer: { id: ada.id, label: "Ada" }, order: { id: order.id, label: "#1042" } });
  });

  it("GIVEN each filter WHEN applied THEN only the matching tasks", async () => {
    const { shop, scenario, campaign } = await setup();
    const statuses = async (query: Record<string, string>) => (await listTasks(shop.db, filter(query))).tasks.map((t) => t.status);
    expect(await statuses({ status: "CANCELLED" })).toEqual(["CANCELLED"]);
    expect(await statuses({ source: `scenario:${scenario.id}` })).toEqual(["CANCELLED", "PENDING"]);
    expect(await statuses({ source: `campaign:${campaign.id}` })).toEqual(["FAILED"]);
    expect(await statuses({ from: "2026-11-05" })).toEqual(["FAILED", "CANCELLED"]);
    expect(await statuses({ to: "2026-11-05" })).toEqual(["CANCELLED", "PENDING"]);
    expect(await statuses({ from: "2026-11-02", to: "2026-11-09", source: `scenario:${scenario.id}` })).toEqual(["CANCELLED"]);
    // Unreadable filters are ignored rather than failing the page.
    expect(await statuses({ status: "RUNNING", source: "scenario:nope", from: "yesterday", page: "-3" })).toHaveLength(3);
    // A year 0000 (which PostgreSQL has not) and a page number past exact integers failed the page with a 500.
    expect(await statuses({ from: "0000-01-01", to: "0000-01-01" })).toHaveLength(3);
    expect(await statuses({ page: "99999999999999999999" })).toHaveLength(3);
  });

  it("GIVEN more tasks than a page WHEN paged THEN 50 per page and the rest on the next", async () => {
    const shop = await createTestShop();
    const ada = await makeCustomer(shop);
    const pool = await createPoolWithCodes(shop, ["P-1"]);
    const scenario = await makeScenario(shop, { actions: [{ type: "generate_code", poolId: pool.id }] });
    await shop.db.task.createMany({
      data: Array.from({ length: TASK_PAGE_SIZE + 5 }, (_, i) => ({ shopId: shop.id, scenarioId: scenario.id, customerId: ada.id, dueAt: new Date(), createdAt: new Date(Date.UTC(2026, 10, 1, 0, i)) })),
    });
    const first = await listTasks(shop.db, filter({}));
    const second = await listTasks(shop.db, filter({ page: "2" }));
    expect(first).toMatchObject({ total: 55, pageCount: 2 });
    expect(first.tasks).toHaveLength(50);
    expect(second.tasks).toHaveLength(5);
    expect(new Set([...first.tasks, ...second.tasks].map((t) => t.id)).size).toBe(55);
  });

  it("GIVEN another shop's tasks WHEN this shop lists THEN none of them", async () => {
    const { shop } = await setup();
    const other = await createTestShop();
    expect((await listTasks(other.db, filter({}))).total).toBe(0);
    expect((await listTasks(shop.db, filter({}))).total).toBe(3);
  });
});
