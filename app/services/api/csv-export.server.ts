// The export of a pool's given-out codes (assigned or redeemed) as CSV, streamed: rows are read a page at a time,
// in id order, as the client consumes the response, so a pool of millions never sits in memory. A code given out
// while the export runs may or may not be in it; none appears twice.
import type { ShopDb } from "../../db/shop-scope.server";
import { csvRow } from "./csv";

export const EXPORT_COLUMNS = ["code", "status", "customer_id", "email", "issued_at", "redeemed_at"] as const;
export const EXPORT_PAGE_SIZE = 1_000;

/** A file name for Content-Disposition: the pool's name reduced to safe ASCII. */
export function exportFileName(poolName: string): string {
  const slug = poolName
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase()
    .slice(0, 60);
  return `${slug || "pool"}-issued-codes.csv`;
}

export function assignedCodesCsv(db: ShopDb, poolId: string, options: { pageSize?: number } = {}): ReadableStream<Uint8Array> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const encoder = new TextEncoder();
  let cursor: bigint | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvRow(EXPORT_COLUMNS)));
          return;
        }
        const rows = await db.code.findMany({
          where: { poolId, status: { in: ["ASSIGNED", "REDEEMED"] }, ...(cursor === null ? {} : { id: { gt: cursor } }) },
          orderBy: { id: "asc" },
          take: pageSize,
          select: {
            id: true,
            code: true,
            status: true,
            assignedAt: true,
            redeemedAt: true,
            customer: { select: { platformId: true, email: true } },
          },
        });
        if (rows.length > 0) {
          cursor = rows[rows.length - 1]!.id;
          const text = rows
            .map((r) =>
              csvRow([r.code, r.status.toLowerCase(), r.customer?.platformId ?? null, r.customer?.email ?? null, r.assignedAt, r.redeemedAt]),
            )
            .join("");
          controller.enqueue(encoder.encode(text));
        }
        if (rows.length < pageSize) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}
