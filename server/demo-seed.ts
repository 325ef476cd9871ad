// Gives the demo shop something to look at: its customers arrive through the real webhook route (signed, stored,
// processed by the worker), and two pools get codes, one by generation and one by upload, with issues spread over
// the last two weeks so the stock forecast and charts have data. Then the automation: a dynamic pool, a segment
// of customers who viewed products more than once, email templates, two active campaigns on that segment (one
// static, one dynamic code) and an order-paid scenario with a one-minute delay. Runs once per demo database; the
// email channel is pointed at this run's local SMTP sink every time.
import { createHmac, randomUUID } from "node:crypto";
import type { ShopifySimulator } from "../simulator/shopify";

async function sendWebhook(appUrl: string, secret: string, shop: string, topic: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const response = await fetch(`${appUrl}/webhooks/${topic}`, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": topic,
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": "2026-07",
      "x-shopify-webhook-id": randomUUID(),
      "x-shopify-hmac-sha256": createHmac("sha256", secret).update(body).digest("base64"),
    },
  });
  if (response.status !== 200) throw new Error(`demo webhook ${topic} answered ${response.status}`);
}

export async function seedDemoData(input: {
  appUrl: string;
  apiSecret: string;
  shopId: string;
  domain: string;
  simulator: ShopifySimulator;
  smtpPort: number;
  log: (line: string) => void;
}): Promise<void> {
  const { forShop } = await import("../app/db/shop-scope.server");
  const db = forShop(input.shopId);
  const { saveEmailChannel } = await import("../app/services/channels.server");
  const channel = await saveEmailChannel(db, input.shopId, {
    enabled: true,
    host: "127.0.0.1",
    port: String(input.smtpPort),
    security: "starttls",
    user: "",
    password: "",
    fromAddress: "hello@demo-outfitters.example",
    fromName: "Demo Outfitters",
  });
  if (channel.type !== "saved") throw new Error(`demo email channel: ${JSON.stringify(channel)}`);
  if ((await db.pool.count()) > 0) return;
  input.log("seeding demo data (customers via webhooks, pools, issues)...");

  const customers = [...input.simulator.state(input.domain).customers.values()];
  for (const c of customers) {
    await sendWebhook(input.appUrl, input.apiSecret, input.domain, "customers/create", {
      id: Number(c.id),
      admin_graphql_api_id: `gid://shopify/Customer/${c.id}`,
      email: c.email,
      first_name: c.firstName,
      last_name: c.lastName,
      tags: c.tags.join(", "),
      created_at: c.createdAt,
      email_marketing_consent: { state: c.emailMarketing.marketingState.toLowerCase() },
    });
  }
  const deadline = Date.now() + 20_000;
  while ((await db.customer.count()) < customers.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

  const { createPool } = await import("../app/services/pools/pools.server");
  const { planPoolGeneration, runGeneration, importUpload } = await import("../app/services/pools/imports.server");
  const { issueCode } = await import("../app/services/pools/issue.server");

  const welcome = await createPool(db, input.shopId, {
    name: "Welcome back",
    description: "One code per returning customer, generated here.",
    lowStockThreshold: 50,
    emptyBehavior: "SEND_FALLBACK",
    fallbackCode: "WELCOME10",
  });
  if (welcome.type !== "saved") throw new Error(`demo pool: ${welcome.type}`);
  const plan = await planPoolGeneration(db, {
    shopId: input.shopId,
    poolId: welcome.pool.id,
    options: { pattern: "BACK-####-####", charset: "alphanumeric_upper" },
    count: 400,
  });
  if (plan.type === "started") await runGeneration(db, input.shopId, plan.importId);

  const vip = await createPool(db, input.shopId, { name: "VIP 20%", description: "Codes from the loyalty platform.", lowStockThreshold: 20 });
  if (vip.type !== "saved") throw new Error(`demo pool: ${vip.type}`);
  const csv = ["code,expires,tag", ...Array.from({ length: 60 }, (_, i) => `VIP20-${(1000 + i * 7).toString(36).toUpperCase()}X,2027-06-30,loyalty`)].join("\n");
  await importUpload(db, {
    shopId: input.shopId,
    poolId: vip.pool.id,
    format: "csv",
    fileName: "loyalty-export.csv",
    source: (async function* () {
      yield new TextEncoder().encode(csv);
    })(),
  });

  // Issues over the last 14 days, so the list shows a rate, a forecast and a chart.
  const ids = (await db.customer.findMany({ select: { id: true }, orderBy: { createdAt: "asc" } })).map((c) => c.id);
  let n = 0;
  for (const [i, customerId] of ids.entries()) {
    const pool = i % 3 === 0 ? vip.pool : welcome.pool;
    const result = await issueCode(db, { shopId: input.shopId, poolId: pool.id, customerId, source: "demo" });
    if (result.type !== "issued") continue;
    const daysAgo = (n++ * 5) % 14;
    await db.issuance.update({
      where: { id: BigInt(result.issued.issuanceId) },
      data: { createdAt: new Date(Date.now() - daysAgo * 86_400_000 - 3_600_000) },
    });
  }
}

/** The automation half of the demo: what `npm run demo -- --smoke` plays through. */
export async function seedDemoAutomation(shopId: string): Promise<void> {
  const { forShop } = await import("../app/db/shop-scope.server");
  const db = forShop(shopId);
  if ((await db.campaign.count()) > 0) return;
  const { createPool } = await import("../app/services/pools/pools.server");
  const { createSegment } = await import("../app/services/segments/segments.server");
  const { saveTemplate } = await import("../app/services/templates.server");
  const { createCampaign, changeCampaignStatus } = await import("../app/services/campaigns/campaigns.server");
  const { createScenario } = await import("../app/services/scenarios/scenarios.server");

  const vip = await db.pool.findFirstOrThrow({ where: { name: "VIP 20%" } });
  const welcome = await db.pool.findFirstOrThrow({ where: { name: "Welcome back" } });
  const dynamic = await createPool(db, shopId, {
    name: "Come back 15%",
    kind: "DYNAMIC",
    description: "A unique 15% code on the products the customer looked at, valid for 14 days.",
    dynamic: { value: { type: "percentage", percent: 15 }, appliesTo: { type: "triggered_products" }, expiry: { type: "after", amount: 14, unit: "days" } },
  });
  if (dynamic.type !== "saved") throw new Error(`demo dynamic pool: ${JSON.stringify(dynamic)}`);

  const segment = await createSegment(db, shopId, {
    name: "Viewed products more than once this week",
    rules: {
      join: "and",
      groups: [
        { join: "and", conditions: [{ kind: "product_activity", action: "viewed", target: { type: "any" }, op: "more_than", value: 1, window: { value: 7, unit: "days" } }] },
      ],
    },
  });
  if (segment.type !== "saved") throw new Error(`demo segment: ${JSON.stringify(segment)}`);

  const template = async (name: string, subject: string, body: string) => {
    const saved = await saveTemplate(db, shopId, { name, channel: "EMAIL", subject, body });
    if (saved.type !== "saved") throw new Error(`demo template ${name}: ${JSON.stringify(saved)}`);
    return saved.template.id;
  };
  const vipEmail = await template(
    "Still thinking about it?",
    "{{userName}}, 20% off is waiting",
    "<p>Hi {{firstName}},</p><p>You came back to look again. Here is 20% off: <b>{{promoCode}}</b></p>",
  );
  const dynamicEmail = await template(
    "Your personal code",
    "A code just for the products you viewed",
    "<p>Hi {{userName}}, take 15% off {{#triggeredProducts}}<i>{{product.title}}</i> {{/triggeredProducts}}with <b>{$dynamic_discount_code}</b>, valid until {{codeExpiresAt}}.</p>",
  );
  const thanks = await template(
    "Thank you for your order",
    "Thanks! Here is something for next time",
    "<p>Thank you, {{firstName}}. Your next order: <b>{{promoCode}}</b>. Still have your welcome code? {{client.last_promocode('Welcome back')}}</p>",
  );

  for (const [name, poolId, templateId] of [
    ["Viewed twice: VIP code", vip.id, vipEmail],
    ["Viewed twice: personal code", dynamic.pool.id, dynamicEmail],
  ] as const) {
    const campaign = await createCampaign(db, shopId, {
      name,
      segmentId: segment.segment.id,
      includeExisting: true,
      actions: [
        { type: "issue_code", poolId },
        { type: "send_message", templateId },
        { type: "add_tags", tags: ["promo-code-sent"] },
      ],
    });
    if (campaign.type !== "saved") throw new Error(`demo campaign: ${JSON.stringify(campaign)}`);
    await changeCampaignStatus(db, shopId, campaign.campaign.id, "start");
  }

  const scenario = await createScenario(db, shopId, {
    name: "Thank-you code a minute after payment",
    active: true,
    trigger: "order_paid",
    delay: { value: 1, unit: "minute" },
    oncePerOrder: true,
    cancelConditions: ["order_cancelled"],
    actions: [
      { type: "generate_code", poolId: welcome.id },
      { type: "send_message", templateId: thanks },
    ],
  });
  if (scenario.type !== "saved") throw new Error(`demo scenario: ${JSON.stringify(scenario)}`);
}
