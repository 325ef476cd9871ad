// Rows the scenario and task tests need: customers, orders, templates and scenarios made through the real services.
import { randomUUID } from "node:crypto";
import type { ScenarioSettingsInput } from "../../../app/domain/scenarios/scenario";
import { createScenario } from "../../../app/services/scenarios/scenarios.server";
import type { TestShop } from "../../support/shops";

export async function makeCustomer(shop: TestShop, name = "Ada") {
  return shop.db.customer.create({
    data: { shopId: shop.id, platformId: `gid://shopify/Customer/${Math.floor(Math.random() * 1e12)}`, email: `${name.toLowerCase()}-${randomUUID().slice(0, 6)}@example.com`, firstName: name },
  });
}

export async function makeOrder(
  shop: TestShop,
  customerId: string | null,
  options: { total?: string; sourceName?: string | null; deliveryType?: string | null; placedAt?: Date; name?: string } = {},
) {
  return shop.db.order.create({
    data: {
      shopId: shop.id,
      platformId: `gid://shopify/Order/${Math.floor(Math.random() * 1e12)}`,
      customerId,
      name: options.name ?? `#${Math.floor(Math.random() * 9000) + 1000}`,
      totalPrice: options.total ?? "100.00",
      sourceName: options.sourceName === undefined ? "web" : options.sourceName,
      deliveryType: options.deliveryType === undefined ? "shipping" : options.deliveryType,
      placedAt: options.placedAt ?? new Date(),
    },
  });
}

export async function makeTemplate(shop: TestShop, body = "<p>Hello {{firstName}}, your code is {{promoCode}}.</p>", name = `Template ${randomUUID().slice(0, 6)}`) {
  return shop.db.messageTemplate.create({ data: { shopId: shop.id, name, channel: "EMAIL", subject: "A code for you", body } });
}

/** A saved scenario; fails the test when the settings are refused. */
export async function makeScenario(shop: TestShop, settings: Partial<ScenarioSettingsInput> & Pick<ScenarioSettingsInput, "actions">) {
  const result = await createScenario(shop.db, shop.id, { name: `Scenario ${randomUUID().slice(0, 6)}`, trigger: "order_paid", active: true, ...settings });
  if (result.type !== "saved") throw new Error(`scenario refused: ${JSON.stringify(result)}`);
  return result.scenario;
}

export const minutes = (n: number) => n * 60_000;
