import { describe, expect, it } from "vitest";
import * as issue from "../../../app/routes/api.v1.pools.$poolId.issue";
import { createPoolWithCodes } from "../../support/pools";
import { call, createApiShop, errorOf, type ApiShop } from "./helpers";

interface Issued {
  code: string;
  expiresAt: string | null;
  kind: string;
  issuedAt: string;
  replayed: boolean;
  poolId: string;
  customerId: string;
}

function issueCall(shop: ApiShop, poolId: string, body: unknown, idempotencyKey?: string | null, headers: Record<string, string> = {}) {
  return call(issue, "POST", `/pools/${poolId}/issue`, {
    key: shop.key,
    params: { poolId },
    json: body,
    headers: idempotencyKey ? { "idempotency-key": idempotencyKey, ...headers } : headers,
  });
}

describe("POST /api/v1/pools/:poolId/issue", () => {
  it("GIVEN a new idempotency key THEN 201 with a code; the same key again THEN 200 with the same code and nothing more given out", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["I1", "I2", "I3"], { expiresAt: (i) => (i === 0 ? new Date("2031-01-01T00:00:00Z") : null) });
    const body = { customer: { id: "7362409121", email: "ada@example.com", firstName: "Ada" } };
    const first = await issueCall(shop, pool.id, body, "order-1001");
    expect(first.status).toBe(201);
    const issued = (await first.json()) as Issued;
    expect(issued).toEqual({
      code: "I1",
      expiresAt: "2031-01-01T00:00:00.000Z",
      kind: "INITIAL",
      issuedAt: expect.any(String),
      replayed: false,
      poolId: pool.id,
      customerId: "gid://shopify/Customer/7362409121",
    });

    const retry = await issueCall(shop, pool.id, body, "order-1001");
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual({ ...issued, replayed: true });
    expect(await shop.db.code.count({ where: { poolId: pool.id, status: "AVAILABLE" } })).toBe(2);

    // The customer was recorded by their GID, the form webhooks use; numeric and GID ids are the same customer.
    const customer = await shop.db.customer.findFirstOrThrow({ where: { platformId: "gid://shopify/Customer/7362409121" } });
    expect(customer).toMatchObject({ email: "ada@example.com", firstName: "Ada" });
    const byGid = await issueCall(shop, pool.id, { customer: { id: "gid://shopify/Customer/7362409121" } }, "order-1002");
    expect(((await byGid.json()) as Issued).code).toBe("I2");
    expect(await shop.db.customer.count()).toBe(1);
    const issuance = await shop.db.issuance.findFirstOrThrow({ where: { codeId: { not: null } }, orderBy: { id: "asc" } });
    expect(issuance).toMatchObject({ source: "api", idempotencyKey: "api:order-1001", customerId: customer.id });
  });

  it("accepts the key as an idempotencyKey field, and refuses a header and field that differ", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["F1", "F2"]);
    const viaField = await issueCall(shop, pool.id, { customer: { id: "1" }, idempotencyKey: "msg-1" });
    expect(viaField.status).toBe(201);
    const sameViaHeader = await issueCall(shop, pool.id, { customer: { id: "1" } }, "msg-1");
    expect(sameViaHeader.status).toBe(200);
    const mismatch = await issueCall(shop, pool.id, { customer: { id: "1" }, idempotencyKey: "msg-2" }, "msg-3");
    expect(mismatch.status).toBe(400);
    expect((await errorOf(mismatch)).code).toBe("idempotency_key_mismatch");
  });

  it("answers 400 without an idempotency key, or with one that is too long or has spaces", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["N1"]);
    const missing = await issueCall(shop, pool.id, { customer: { id: "1" } });
    expect(missing.status).toBe(400);
    expect((await errorOf(missing)).code).toBe("idempotency_key_required");
    for (const bad of ["has space", "k".repeat(201)]) {
      const response = await issueCall(shop, pool.id, { customer: { id: "1" }, idempotencyKey: bad });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: "validation_failed", details: { fields: { idempotencyKey: expect.any(String) } } });
    }
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
  });

  it("answers 400 with field details for a bad body: no customer, a numeric id, a bad email, unknown fields", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["B1"]);
    const cases: [unknown, string][] = [
      [{}, "customer"],
      [{ customer: { id: 7362409121 } }, "customer.id"],
      [{ customer: { id: "" } }, "customer.id"],
      [{ customer: { id: "1", email: "nope" } }, "customer.email"],
      [{ customer: { id: "1" }, reissue: "yes" }, "reissue"],
      [{ customer: { id: "1" }, pool: "x" }, "pool"],
      [{ customer: { id: "1", phone: "+1" } }, "customer.phone"],
      [{ customer: { id: "gid://shopify/Order/1" } }, "customer.id"],
    ];
    for (const [body, field] of cases) {
      const response = await issueCall(shop, pool.id, body, "k-1");
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe("validation_failed");
      expect(Object.keys(error.details!.fields as object), JSON.stringify(body)).toContain(field);
    }
    const numeric = await errorOf(await issueCall(shop, pool.id, { customer: { id: 7362409121 } }, "k-1"));
    expect(numeric.message).toContain("as a string");
    const malformed = await call(issue, "POST", `/pools/${pool.id}/issue`, {
      key: shop.key,
      params: { poolId: pool.id },
      headers: { "content-type": "application/json", "idempotency-key": "k-2" },
      body: "{customer:",
    });
    expect((await errorOf(malformed)).code).toBe("malformed_json");
    expect(await shop.db.issuance.count()).toBe(0);
  });

  it("reissues the customer's last code (never a fresh one), and answers 404 never_issued when there is none", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["R1", "R2"]);
    const first = (await (await issueCall(shop, pool.id, { customer: { id: "42" } }, "welcome-42")).json()) as Issued;
    const again = await issueCall(shop, pool.id, { customer: { id: "42" }, reissue: true }, "resend-42-a");
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ code: first.code, kind: "REISSUE", replayed: false });
    const replayed = await issueCall(shop, pool.id, { customer: { id: "42" }, reissue: true }, "resend-42-a");
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({ code: first.code, kind: "REISSUE", replayed: true });
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);

    const never = await issueCall(shop, pool.id, { customer: { id: "43" }, reissue: true }, "resend-43");
    expect(never.status).toBe(404);
    expect((await errorOf(never)).code).toBe("never_issued");
  });

  it("answers 422 when an idempotency key is reused for another customer or for a reissue", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["C1", "C2"]);
    expect((await issueCall(shop, pool.id, { customer: { id: "1" } }, "order-7")).status).toBe(201);
    const other = await issueCall(shop, pool.id, { customer: { id: "2" } }, "order-7");
    expect(other.status).toBe(422);
    expect((await errorOf(other)).code).toBe("idempotency_key_reused");
    const reissue = await issueCall(shop, pool.id, { customer: { id: "1" }, reissue: true }, "order-7");
    expect(reissue.status).toBe(422);
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
  });

  it("answers 422 when a key is reused with other customer details, without changing the customer; the same request again replays", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["D1", "D2"]);
    const customer = { id: "5", email: "ada@example.com", firstName: "Ada" };
    const first = await issueCall(shop, pool.id, { customer }, "order-9");
    expect(first.status).toBe(201);
    const changed = await issueCall(shop, pool.id, { customer: { ...customer, email: "eve@example.com" } }, "order-9");
    expect(changed.status).toBe(422);
    expect((await errorOf(changed)).code).toBe("idempotency_key_reused");
    expect(await shop.db.customer.findFirstOrThrow({ select: { email: true } })).toEqual({ email: "ada@example.com" });
    const same = await issueCall(shop, pool.id, { customer: { firstName: "Ada", id: "5", email: "ada@example.com" } }, "order-9");
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ code: ((await first.json()) as Issued).code, replayed: true });
    expect(await shop.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
  });

  it("answers 409 pool_empty with what the pool does when empty (the fallback code when it sends one)", async () => {
    const shop = await createApiShop();
    const pool = await createPoolWithCodes(shop, ["LAST"]);
    await shop.db.pool.update({ where: { id: pool.id }, data: { emptyBehavior: "SEND_FALLBACK", fallbackCode: "SORRY10" } });
    expect((await issueCall(shop, pool.id, { customer: { id: "1" } }, "e-1")).status).toBe(201);
    const empty = await issueCall(shop, pool.id, { customer: { id: "2" } }, "e-2");
    expect(empty.status).toBe(409);
    const error = await errorOf(empty);
    expect(error).toMatchObject({ code: "pool_empty", details: { emptyBehavior: "SEND_FALLBACK", fallbackCode: "SORRY10" } });
    expect(error.message).toContain("SORRY10");

    await shop.db.pool.update({ where: { id: pool.id }, data: { emptyBehavior: "HOLD_UNTIL_REFILLED" } });
    const held = await errorOf(await issueCall(shop, pool.id, { customer: { id: "3" } }, "e-3"));
    expect(held.details).toEqual({ emptyBehavior: "HOLD_UNTIL_REFILLED", fallbackCode: null });
  });

  it("answers 404 for an unknown, malformed or other shop's pool (creating no customer)", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    const poolB = await createPoolWithCodes(b, ["B-ONLY"]);
    for (const poolId of [poolB.id, "00000000-0000-4000-8000-000000000000", "x"]) {
      const response = await issueCall(a, poolId, { customer: { id: "1" } }, `k-${poolId}`);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("pool_not_found");
    }
    expect(await a.db.customer.count()).toBe(0);
    expect(await b.db.code.count({ where: { status: "AVAILABLE" } })).toBe(1);
  });

  it("keeps API idempotency keys apart from the same key in another shop", async () => {
    const a = await createApiShop();
    const b = await createApiShop();
    const poolA = await createPoolWithCodes(a, ["A-1"]);
    const poolB = await createPoolWithCodes(b, ["B-1"]);
    expect(((await (await issueCall(a, poolA.id, { customer: { id: "1" } }, "shared")).json()) as Issued).code).toBe("A-1");
    const inB = await issueCall(b, poolB.id, { customer: { id: "1" } }, "shared");
    expect(inB.status).toBe(201);
    expect(((await inB.json()) as Issued).code).toBe("B-1");
  });
});
