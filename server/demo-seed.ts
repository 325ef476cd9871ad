// Gives the demo shop something to look at: its customers arrive through the real webhook route (signed, stored,
// processed by the worker), and two pools get codes, one by generation and one by upload, with issues spread over
// the last two weeks so the stock forecast and charts have data. Runs once per demo database.
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
  log: (line: string) => void;
}): Promise<void> {
  const { forShop } = await import("../app/db/shop-scope.server");
  const db = forShop(input.shopId);
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
