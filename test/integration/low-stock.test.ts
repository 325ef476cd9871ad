import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smtpMailer, type Mailer } from "../../app/channels/email/mailer.server";
import { issueCode } from "../../app/services/pools/issue.server";
import { checkPoolStock, lowStockPools } from "../../app/services/pools/stock.server";
import { createCustomers, createPoolWithCodes } from "../support/pools";
import { createTestShop } from "../support/shops";
import { startSmtpSink, type SmtpSink } from "../support/smtp";

let sink: SmtpSink;
let mailer: Mailer;

beforeAll(async () => {
  sink = await startSmtpSink();
  mailer = smtpMailer(sink.url, "Promo Codes <alerts@promo.test>");
});

afterAll(async () => {
  mailer.close();
  await sink.stop();
});

describe("low-stock alerts", () => {
  it("GIVEN a threshold of 2 WHEN issues bring the pool to 2 THEN one banner entry and one email, once per crossing, until a refill", async () => {
    const shop = await createTestShop({ name: "Alert Shop" });
    const pool = await createPoolWithCodes(shop, ["L1", "L2", "L3", "L4"], { name: "Spring" });
    await shop.db.pool.update({ where: { id: pool.id }, data: { lowStockThreshold: 2 } });
    const customers = await createCustomers(shop, 3);
    const before = sink.messages.length;

    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customers[0]! });
    expect(await checkPoolStock(shop.db, shop.id, pool.id, { mailer })).toMatchObject({ level: "ok", alerted: false });

    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customers[1]! });
    // Two checks racing on the same crossing send one email between them.
    const [a, b] = await Promise.all([
      checkPoolStock(shop.db, shop.id, pool.id, { mailer }),
      checkPoolStock(shop.db, shop.id, pool.id, { mailer }),
    ]);
    expect([a?.emailed, b?.emailed].filter(Boolean)).toHaveLength(1);
    await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId: customers[2]! });
    expect(await checkPoolStock(shop.db, shop.id, pool.id, { mailer })).toMatchObject({ level: "low", alerted: false });

    const received = (await sink.waitFor(before + 1)).slice(before);
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual([`owner@${shop.domain.replace(".myshopify.com", "")}.test`]);
    expect(received[0]!.subject).toContain('"Spring" is running low');
    expect((await lowStockPools(shop.db)).map((p) => p.name)).toEqual(["Spring"]);

    // A refill lifts the pool over the line and clears the alert for the next crossing.
    await shop.db.code.createMany({
      data: ["R1", "R2", "R3", "R4"].map((code) => ({ shopId: shop.id, poolId: pool.id, code, codeKey: code })),
    });
    expect(await checkPoolStock(shop.db, shop.id, pool.id, { mailer })).toMatchObject({ level: "ok", cleared: true });
    expect(await lowStockPools(shop.db)).toEqual([]);

    // The next crossing is a new one: one more email, and the banner again.
    const more = await createCustomers(shop, 3);
    for (const customerId of more) await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId });
    expect(await checkPoolStock(shop.db, shop.id, pool.id, { mailer })).toMatchObject({ level: "low", emailed: true });
    expect(await checkPoolStock(shop.db, shop.id, pool.id, { mailer })).toMatchObject({ level: "low", alerted: false });
    const second = (await sink.waitFor(before + 2)).slice(before).filter((m) => m.subject.includes('"Spring"'));
    expect(second).toHaveLength(2);
    expect((await lowStockPools(shop.db)).map((p) => p.name)).toEqual(["Spring"]);
  });

  it("alerts when the forecast says the pool runs out within a week, even above the threshold", async () => {
    const shop = await createTestShop();
    const pool = await createPoolWithCodes(shop, Array.from({ length: 20 }, (_, i) => `F${i}`));
    await shop.db.pool.update({ where: { id: pool.id }, data: { lowStockThreshold: 1 } });
    const customers = await createCustomers(shop, 10);
    for (const customerId of customers) await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId });
    // 10 issued in the last 7 days: about 1.4 a day, 10 left → about 7 days. Issue 2 more: 8 left → 4 days.
    const more = await createCustomers(shop, 2, "m");
    for (const customerId of more) await issueCode(shop.db, { shopId: shop.id, poolId: pool.id, customerId });
    const check = await checkPoolStock(shop.db, shop.id, pool.id, { mailer: null });
    expect(check).toMatchObject({ level: "low", alerted: true, emailed: false, available: 8 });
    expect(check!.daysLeft).toBeLessThan(7);
  });
});
