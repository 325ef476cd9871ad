import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { isUniqueViolation } from "../../../app/db/errors";
import { prisma } from "../../../app/db.server";

function known(code: string, meta?: Record<string, unknown>) {
  return new Prisma.PrismaClientKnownRequestError("boom", { code, clientVersion: "6", meta });
}

describe("unique violations in every shape the adapters produce", () => {
  it.each([
    ["a model query's P2002", known("P2002")],
    ["a raw statement on PGlite (P2010, code in the cause)", known("P2010", { driverAdapterError: { cause: { code: "23505" } } })],
    ["a raw statement on PostgreSQL (P2010, originalCode)", known("P2010", { driverAdapterError: { cause: { originalCode: "23505", kind: "UniqueConstraintViolation" } } })],
    ["a driver error with SQLSTATE 23505 as a cause", Object.assign(new Error("outer"), { cause: { code: "23505" } })],
  ])("recognises %s", (_label, error) => {
    expect(isUniqueViolation(error)).toBe(true);
  });

  it.each([
    ["a foreign-key violation", known("P2010", { driverAdapterError: { cause: { code: "23503" } } })],
    ["a record-not-found", known("P2025")],
    ["a plain error", new Error("nope")],
    ["nothing", null],
  ])("does not mistake %s for one", (_label, error) => {
    expect(isUniqueViolation(error)).toBe(false);
  });

  it("GIVEN a real duplicate inserted with raw SQL WHEN it fails THEN it is recognised", async () => {
    await prisma.$executeRaw`CREATE TEMP TABLE IF NOT EXISTS uniq_probe (k text PRIMARY KEY)`;
    await prisma.$executeRaw`INSERT INTO uniq_probe VALUES ('a') ON CONFLICT DO NOTHING`;
    const error = await prisma.$executeRaw`INSERT INTO uniq_probe VALUES ('a')`.catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  });
});
