// Unique-constraint violations arrive in several shapes, and callers that rely on a unique key for idempotency
// must recognise all of them:
// - model queries through the PostgreSQL adapter: Prisma's P2002;
// - model queries through PGlite: a DriverAdapterError carrying SQLSTATE 23505 (possibly as a cause);
// - raw statements ($queryRaw / $executeRaw) through either adapter: P2010 with the SQLSTATE inside
//   meta.driverAdapterError (PGlite passes it as `code`, PrismaPg as `originalCode` with a kind).
import { Prisma } from "@prisma/client";

type AdapterCause = { code?: unknown; originalCode?: unknown; kind?: unknown };

export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (error.code === "P2002") return true;
    const meta = error.meta as { code?: unknown; driverAdapterError?: { cause?: AdapterCause } } | undefined;
    const cause = meta?.driverAdapterError?.cause;
    return meta?.code === "23505" || cause?.code === "23505" || cause?.originalCode === "23505" || cause?.kind === "UniqueConstraintViolation";
  }
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (candidate.code === "23505") return true;
    current = candidate.cause;
  }
  return false;
}
