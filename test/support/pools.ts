import type { TestShop } from "./shops";

export async function createCustomers(shop: TestShop, count: number, prefix = "c"): Promise<string[]> {
  const rows = Array.from({ length: count }, (_, i) => ({
    shopId: shop.id,
    platformId: `gid://shopify/Customer/${prefix}${i}-${Math.random().toString(36).slice(2, 8)}`,
    email: `${prefix}${i}@example.com`,
  }));
  const created = await shop.db.customer.createManyAndReturn({ data: rows, select: { id: true } });
  return created.map((c) => c.id);
}

export async function createPoolWithCodes(
  shop: TestShop,
  codes: string[],
  options: { name?: string; expiresAt?: (i: number) => Date | null } = {},
) {
  const pool = await shop.db.pool.create({ data: { shopId: shop.id, name: options.name ?? `Pool ${Math.random().toString(36).slice(2, 8)}` } });
  if (codes.length) {
    await shop.db.code.createMany({
      data: codes.map((code, i) => ({
        shopId: shop.id,
        poolId: pool.id,
        code,
        codeKey: code.toUpperCase(),
        expiresAt: options.expiresAt?.(i) ?? null,
      })),
    });
  }
  return pool;
}

export async function* bytesOf(text: string | Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}

/** `count` reissues of one code to one customer (a reminder each), the i-th created at `at(i)`: long code histories. */
export async function createReissues(
  shop: TestShop,
  issue: { poolId: string; codeId: string; customerId: string },
  count: number,
  at: (i: number) => Date,
): Promise<void> {
  await shop.db.issuance.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      shopId: shop.id,
      poolId: issue.poolId,
      codeId: BigInt(issue.codeId),
      customerId: issue.customerId,
      kind: "REISSUE" as const,
      createdAt: at(i),
    })),
  });
}
