// Deleting a campaign from its page: only a draft, which never ran. A campaign that has started keeps its runs and
// results and is stopped instead.
import { describe, expect, it } from "vitest";
import { action as campaignAction } from "../../../app/routes/app.campaigns.$campaignId";
import { adminRequest } from "../../support/admin-request";
import { createCustomers } from "../../support/pools";
import { createTestShop, type TestShop } from "../../support/shops";

async function post(shop: TestShop, campaignId: string, intent: string) {
  const request = adminRequest(shop, { intent }, `/app/campaigns/${campaignId}`);
  return campaignAction({ request, params: { campaignId }, context: {} } as never).catch((thrown: unknown) => thrown);
}

describe("deleting a campaign from its page", () => {
  it("GIVEN a draft campaign WHEN its page posts delete THEN it is deleted and the page goes to the campaigns list, naming it", async () => {
    const shop = await createTestShop();
    const campaign = await shop.db.campaign.create({ data: { shopId: shop.id, name: "Spring draft" } });
    const answer = await post(shop, campaign.id, "delete");
    expect(answer).toBeInstanceOf(Response);
    const location = (answer as Response).headers.get("location") ?? "";
    expect(location).toMatch(/^\/app\/campaigns\?/);
    expect(new URL(location, "https://x.test").searchParams.get("deleted")).toBe("Spring draft");
    await expect(shop.db.campaign.count({ where: { id: campaign.id } })).resolves.toBe(0);
  });

  it.each(["ACTIVE", "PAUSED", "STOPPED"] as const)(
    "GIVEN a campaign that is %s and has a run WHEN its page posts delete THEN it is refused and the campaign and its run stay",
    async (status) => {
      const shop = await createTestShop();
      const [customer] = await createCustomers(shop, 1);
      const campaign = await shop.db.campaign.create({ data: { shopId: shop.id, name: "Running", status, startedAt: new Date() } });
      await shop.db.task.create({ data: { shopId: shop.id, campaignId: campaign.id, customerId: customer!, status: "EXECUTED", dueAt: new Date() } });
      const answer = await post(shop, campaign.id, "delete");
      expect(answer).toEqual({ error: "Only a draft can be deleted: this campaign has started. Stop it instead." });
      await expect(shop.db.campaign.findFirstOrThrow({ where: { id: campaign.id } })).resolves.toMatchObject({ status });
      await expect(shop.db.task.count({ where: { campaignId: campaign.id } })).resolves.toBe(1);
    },
  );
});
