// Unique-constraint violations arrive as Prisma's P2002 from the PostgreSQL adapter and as a DriverAdapterError
// carrying SQLSTATE 23505 from the PGlite adapter; callers that rely on a unique key for idempotency check both.
import { Prisma } from "@prisma/client";

export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === "P2002";
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown };
    if (candidate.code === "23505") return true;
    current = candidate.cause;
  }
  return false;
}
