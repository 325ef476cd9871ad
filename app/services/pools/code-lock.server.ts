// The pool's code lock: every write that adds codes to a static pool, and the pool's deletion, hold it. An
// upload's final insert skips the keys the pool already has without ON CONFLICT (decision 0021), so no other
// write may slip in between its check and its insert; and a pool deleted while an upload or a generation ran
// must not receive codes afterwards (they would sit in a deleted pool, never issued, reported as added).
import type { Prisma } from "@prisma/client";

type Tx = Pick<Prisma.TransactionClient, "$queryRaw">;

/** Waits for, then holds until the transaction ends, the right to write the pool's codes. */
export async function lockPoolCodes(tx: Tx, poolId: string): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`codes:${poolId}`}, 0))::text AS locked`;
}

/** The pool was deleted (or never was the shop's) by the time its codes were to be written. */
export class PoolDeletedError extends Error {
  override readonly name = "PoolDeletedError";
  constructor(readonly poolId: string) {
    super("The pool was deleted while its codes were being added: no code was added.");
  }
}

/** lockPoolCodes, then checks under the lock that the pool is still live: deletion takes the same lock. */
export async function lockLivePoolCodes(tx: Tx, shopId: string, poolId: string): Promise<void> {
  await lockPoolCodes(tx, poolId);
  const [pool] = await tx.$queryRaw<{ live: boolean }[]>`
    SELECT deleted_at IS NULL AS live FROM pools WHERE id = ${poolId}::uuid AND shop_id = ${shopId}::uuid`;
  if (!pool?.live) throw new PoolDeletedError(poolId);
}
