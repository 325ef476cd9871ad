// The delete dialogs of segments, templates and pools name the campaigns and scenarios that use them.
import { describe, expect, it } from "vitest";
import { loader as poolLoader } from "../../../app/routes/app.pools.$poolId";
import { loader as segmentLoader } from "../../../app/routes/app.segments.$segmentId";
import { loader as templateLoader } from "../../../app/routes/app.templates.$templateId";
import { dependentsOf } from "../../../app/services/dependents.server";
import { adminRequest } from "../../support/admin-request";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

async function setUp(shop: TestShop) {
  const pool = await createPoolWithCodes(shop, ["D-1"], { name: "Spring" });
  const otherPool = await createPoolWithCodes(shop, [], { name: "Other" });
  const segment = await shop.db.segment.create({ data: { shopId: shop.id, name: "Hats", rules: {} } });
  const template = await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "Hi", channel: "EMAIL", subject: "s", body: "{{promoCode}}" } });
  await shop.db.messageTemplate.create({ data: { shopId: shop.id, name: "Spring text", channel: "SMS", body: "Yours: {{client.promocode('spring')}}" } });
  const actions = [
    { type: "issue_code", poolId: pool.id },
    { type: "send_message", templateId: template.id },
  ];
  const campaign = (name: string, status: "DRAFT" | "ACTIVE" | "PAUSED" | "STOPPED", withActions = actions) =>
    shop.db.campaign.create({ data: { shopId: shop.id, name, status, segmentId: segment.id, actions: withActions } });
  await campaign("Bravo", "ACTIVE");
  await campaign("Alpha", "DRAFT");
  await campaign("Over", "STOPPED");
  await campaign("Elsewhere", "PAUSED", [{ type: "issue_code", poolId: otherPool.id }]);
  await shop.db.scenario.create({
    data: { shopId: shop.id, name: "Thanks", trigger: "order_paid", active: true, actions: [{ type: "generate_code", poolId: pool.id, expiry: null }, { type: "send_message", templateId: template.id }] },
  });
  await shop.db.scenario.create({ data: { shopId: shop.id, name: "Idle", trigger: "order_paid", actions: [{ type: "send_message", templateId: template.id }] } });
  return { pool, segment, template };
}

const names = (list: { kind: string; name: string; state: string }[]) => list.map((d) => `${d.kind}:${d.name}:${d.state}`);

describe("what uses a segment, a template or a pool", () => {
  it("GIVEN campaigns and scenarios WHEN asked what uses each THEN the ones naming it are listed (not stopped campaigns), by name", async () => {
    const shop = await createTestShop();
    const { pool, segment, template } = await setUp(shop);
    expect(names(await dependentsOf(shop.db, { segmentId: segment.id }))).toEqual(["campaign:Alpha:draft", "campaign:Bravo:active", "campaign:Elsewhere:paused"]);
    expect(names(await dependentsOf(shop.db, { templateId: template.id }))).toEqual([
      "campaign:Alpha:draft",
      "campaign:Bravo:active",
      "scenario:Idle:off",
      "scenario:Thanks:on",
    ]);
    expect(names(await dependentsOf(shop.db, { poolId: pool.id }))).toEqual(["campaign:Alpha:draft", "campaign:Bravo:active", "scenario:Thanks:on", "template:Spring text:sms"]);
  });

  it("GIVEN another shop's campaigns naming the same ids WHEN asked THEN they are not listed", async () => {
    const shop = await createTestShop();
    const other = await createTestShop();
    const { pool, segment, template } = await setUp(shop);
    await other.db.campaign.create({ data: { shopId: other.id, name: "Theirs", status: "ACTIVE", actions: [{ type: "issue_code", poolId: pool.id }, { type: "send_message", templateId: template.id }] } });
    expect(names(await dependentsOf(other.db, { poolId: pool.id }))).toEqual(["campaign:Theirs:active"]);
    expect(names(await dependentsOf(shop.db, { poolId: pool.id }))).not.toContain("campaign:Theirs:active");
    expect(await dependentsOf(other.db, { segmentId: segment.id })).toEqual([]);
  });

  it("GIVEN a pool, a segment and a template in use WHEN their pages load THEN each carries its dependents for the delete dialog", async () => {
    const shop = await createTestShop();
    const { pool, segment, template } = await setUp(shop);
    const load = async (loader: typeof poolLoader | typeof segmentLoader | typeof templateLoader, path: string, params: Record<string, string>) =>
      (await loader({ request: adminRequest(shop, undefined, path), params, context: {} } as never)) as { dependents?: { name: string }[] };
    expect((await load(poolLoader, `/app/pools/${pool.id}`, { poolId: pool.id })).dependents?.map((d) => d.name)).toEqual(["Alpha", "Bravo", "Thanks", "Spring text"]);
    expect((await load(segmentLoader, `/app/segments/${segment.id}`, { segmentId: segment.id })).dependents?.map((d) => d.name)).toEqual(["Alpha", "Bravo", "Elsewhere"]);
    expect((await load(templateLoader, `/app/templates/${template.id}`, { templateId: template.id })).dependents?.map((d) => d.name)).toEqual([
      "Alpha",
      "Bravo",
      "Idle",
      "Thanks",
    ]);
  });
});
