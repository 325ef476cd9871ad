import { describe, expect, it } from "vitest";
import { saveScenarioForm } from "../../../app/components/scenarios/scenario-form.server";
import { EMPTY_SCENARIO_FORM, formValuesOf, type ScenarioFormValues } from "../../../app/components/scenarios/scenario-form";
import {
  createScenario,
  deleteScenario,
  getScenario,
  listScenarios,
  setScenarioActive,
  updateScenario,
} from "../../../app/services/scenarios/scenarios.server";
import { createPoolWithCodes } from "../../support/pools";
import { createTestShop } from "../../support/shops";
import { makeCustomer, makeScenario, makeTemplate } from "./helpers";

describe("scenario settings, stored", () => {
  it("GIVEN every option WHEN a scenario is created THEN the columns hold them and settingsOf reads the same settings back", async () => {
    const shop = await createTestShop();
    const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: "Birthday", kind: "DYNAMIC" } });
    const template = await makeTemplate(shop);
    const input = {
      name: "Thank-you code",
      active: true,
      trigger: "order_fulfilled" as const,
      limits: { orderSources: ["web" as const, "pos" as const], deliveryTypes: ["pickup" as const], minOrderPrice: 20, maxOrderPrice: 500 },
      delay: { value: 3, unit: "day" as const },
      oncePerOrder: true,
      oncePerUser: true,
      cancelConditions: ["new_order" as const, "order_cancelled" as const],
      success: { conditions: ["new_order" as const, "order_review" as const], wait: { value: 2, unit: "week" as const } },
      actions: [
        { type: "generate_code" as const, poolId: pool.id, expiry: { value: 10, unit: "day" as const } },
        { type: "send_message" as const, templateId: template.id },
      ],
    };
    const result = await createScenario(shop.db, shop.id, input);
    expect(result.type).toBe("saved");
    if (result.type !== "saved") return;
    expect(result.scenario).toMatchObject({
      trigger: "order_fulfilled",
      delayValue: 3,
      delayUnit: "day",
      oncePerUser: true,
      cancelConditions: ["new_order", "order_cancelled"],
      successConditions: { conditions: ["new_order", "order_review"], wait: { value: 2, unit: "week" } },
      limits: { orderSources: ["web", "pos"], deliveryTypes: ["pickup"], minOrderPrice: 20, maxOrderPrice: 500 },
    });
    const read = await getScenario(shop.db, result.scenario.id);
    expect(read?.settings).toEqual(input);
    // The form shows the same settings it saved.
    expect(formValuesOf(read!.settings!)).toMatchObject({ delayValue: "3", minOrderPrice: "20", successEnabled: true, waitValue: "2", waitUnit: "week" });
  });

  it("GIVEN bad settings WHEN saved THEN nothing is stored and each error names its field", async () => {
    const shop = await createTestShop();
    const result = await createScenario(shop.db, shop.id, {
      name: " ",
      trigger: "customer_created",
      limits: { orderSources: ["web"], deliveryTypes: [], minOrderPrice: 50, maxOrderPrice: 10 },
      cancelConditions: ["order_cancelled"],
      actions: [{ type: "send_message", templateId: "not-a-uuid" }],
    });
    expect(result.type).toBe("invalid");
    if (result.type !== "invalid") return;
    expect(result.errors).toMatchObject({
      name: "Name is required",
      "limits.maxOrderPrice": "Maximum is below the minimum",
      limits: "Order limits need an order trigger",
      cancelConditions: "Only “new order” applies without a trigger order",
      "actions.0.templateId": "Pick a message template",
    });
    expect(await shop.db.scenario.count()).toBe(0);
  });

  it("GIVEN another shop's pool, a deleted template and an expiry on a static pool WHEN saved THEN each reference is refused by field", async () => {
    const shop = await createTestShop();
    const other = await createTestShop();
    const foreign = await createPoolWithCodes(other, ["X-1"]);
    const staticPool = await createPoolWithCodes(shop, ["S-1"]);
    const template = await makeTemplate(shop);
    await shop.db.messageTemplate.delete({ where: { id: template.id } });
    const result = await createScenario(shop.db, shop.id, {
      name: "Refs",
      trigger: "order_paid",
      actions: [
        { type: "generate_code", poolId: foreign.id },
        { type: "generate_code", poolId: staticPool.id, expiry: { value: 7, unit: "day" } },
        { type: "send_message", templateId: template.id },
      ],
    });
    expect(result).toEqual({
      type: "invalid",
      errors: {
        "actions.0.poolId": "This pool no longer exists",
        "actions.1.expiry": "Static codes keep the expiry they were uploaded with; set an expiry only for a dynamic pool",
        "actions.2.templateId": "This template no longer exists",
      },
    });
  });

  it("GIVEN a scenario WHEN it is edited, switched off and on, and deleted THEN each change holds and deleting takes its tasks along", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["A-1"]);
    const scenario = await makeScenario(shop, { actions: [{ type: "generate_code", poolId: pool.id }] });
    const edited = await updateScenario(shop.db, scenario.id, { name: "Renamed", trigger: "order_created", delay: { value: 2, unit: "hour" }, actions: [{ type: "generate_code", poolId: pool.id }] });
    expect(edited).toMatchObject({ type: "saved", scenario: { name: "Renamed", trigger: "order_created", delayValue: 2, delayUnit: "hour", active: false } });
    expect(await setScenarioActive(shop.db, scenario.id, true)).toMatchObject({ type: "saved", scenario: { active: true } });
    expect(await setScenarioActive(shop.db, scenario.id, false)).toMatchObject({ type: "saved", scenario: { active: false } });

    const customer = await makeCustomer(shop);
    await shop.db.task.createMany({
      data: [
        { shopId: shop.id, scenarioId: scenario.id, customerId: customer.id, dueAt: new Date(), status: "PENDING" },
        { shopId: shop.id, scenarioId: scenario.id, customerId: customer.id, dueAt: new Date(), status: "SUCCEEDED" },
      ],
    });
    const [listed] = await listScenarios(shop.db);
    expect(listed).toMatchObject({ name: "Renamed", counts: { PENDING: 1, SUCCEEDED: 1, EXECUTED: 0 } });

    expect(await deleteScenario(shop.db, scenario.id)).toEqual({ type: "deleted", tasks: 2 });
    expect(await shop.db.task.count()).toBe(0);
    expect(await deleteScenario(shop.db, scenario.id)).toEqual({ type: "not_found" });
    expect(await updateScenario(shop.db, scenario.id, { name: "x", trigger: "order_paid", actions: [{ type: "generate_code", poolId: pool.id }] })).toEqual({ type: "not_found" });
  });

  it("GIVEN another shop's scenario id WHEN read, edited or deleted THEN it is not found and stays as it was", async () => {
    const shop = await createTestShop();
    const other = await createTestShop();
    const pool = await createPoolWithCodes(other, ["O-1"]);
    const theirs = await makeScenario(other, { actions: [{ type: "generate_code", poolId: pool.id }] });
    expect(await getScenario(shop.db, theirs.id)).toBeNull();
    expect(await setScenarioActive(shop.db, theirs.id, false)).toEqual({ type: "not_found" });
    expect(await deleteScenario(shop.db, theirs.id)).toEqual({ type: "not_found" });
    expect(await other.db.scenario.findFirstOrThrow({ where: { id: theirs.id } })).toMatchObject({ active: true });
  });
});

describe("the scenario form", () => {
  function form(values: ScenarioFormValues): FormData {
    const data = new FormData();
    data.set("settings", JSON.stringify(values));
    return data;
  }

  it("GIVEN numbers that are not numbers and a missing pool WHEN the form is saved THEN every error comes back keyed by its field and nothing is stored", async () => {
    const shop = await createTestShop();
    const result = await saveScenarioForm(
      shop.db,
      shop.id,
      form({ ...EMPTY_SCENARIO_FORM, name: "Form", delayValue: "soon", minOrderPrice: "ten", successEnabled: true, waitValue: "-3" }),
      null,
    );
    expect(result).toEqual({
      type: "invalid",
      errors: expect.objectContaining({
        "delay.value": "Enter a whole number",
        "limits.minOrderPrice": "Enter an amount like 50 or 49.90, or leave it empty",
        // A negative number is a whole number: the error says what is wrong with it.
        "success.wait.value": "Use 0 or more",
        "actions.0.poolId": "Pick a pool",
        "actions.1.templateId": "Pick a message template",
      }),
    });
    expect(await shop.db.scenario.count()).toBe(0);
  });

  it("GIVEN a scenario switched off from its page WHEN its settings are saved from a form that still says active THEN it stays off", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["K-1"]);
    const scenario = await makeScenario(shop, { actions: [{ type: "generate_code", poolId: pool.id }] });
    await setScenarioActive(shop.db, scenario.id, false);
    const values = { ...formValuesOf((await getScenario(shop.db, scenario.id))!.settings!), active: true, name: "Renamed" };
    expect(await saveScenarioForm(shop.db, shop.id, form(values), scenario.id)).toMatchObject({ type: "saved", scenario: { name: "Renamed", active: false } });
    expect(await saveScenarioForm(shop.db, shop.id, form(values), "00000000-0000-4000-8000-000000000000")).toEqual({ type: "not_found" });
  });

  it("GIVEN a tampered post WHEN saved THEN the form says it could not be read", async () => {
    const shop = await createTestShop();
    const data = new FormData();
    data.set("settings", '{"name": 1}');
    expect(await saveScenarioForm(shop.db, shop.id, data, null)).toEqual({ type: "invalid", errors: { form: "The form could not be read. Reload the page and try again." } });
  });

  it("GIVEN valid values WHEN saved THEN the scenario is created with them", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, ["F-1"]);
    const template = await makeTemplate(shop);
    const result = await saveScenarioForm(
      shop.db,
      shop.id,
      form({
        ...EMPTY_SCENARIO_FORM,
        name: "From the form",
        delayValue: "45",
        delayUnit: "minute",
        maxOrderPrice: "99.90",
        actions: [
          { type: "generate_code", poolId: pool.id, expiryEnabled: false, expiryValue: "30", expiryUnit: "day" },
          { type: "send_message", templateId: template.id },
        ],
      }),
      null,
    );
    expect(result).toMatchObject({ type: "saved", scenario: { name: "From the form", delayValue: 45, delayUnit: "minute", limits: { maxOrderPrice: 99.9 } } });
  });
});
