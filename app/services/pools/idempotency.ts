// When a call under an idempotency key may be answered with what the first call under that key got.
import type { IssuanceKind } from "@prisma/client";
import type { IssueInput } from "./issue.server";

/** What an issuance records of the request: its fingerprint, kept only with the key it belongs to. */
export function requestHashToStore(input: Pick<IssueInput, "idempotencyKey" | "requestHash">): string | null {
  return input.idempotencyKey ? (input.requestHash ?? null) : null;
}

/** Whether a call under an idempotency key asks for something else than the one that used the key first. */
export function differentRequest(
  previous: { poolId: string; customerId: string; kind: IssuanceKind; requestHash: string | null },
  input: Pick<IssueInput, "poolId" | "customerId" | "reissue" | "requestHash">,
): boolean {
  const kind: IssuanceKind = input.reissue ? "REISSUE" : "INITIAL";
  if (previous.poolId !== input.poolId || previous.customerId !== input.customerId || previous.kind !== kind) return true;
  return !!previous.requestHash && !!input.requestHash && previous.requestHash !== input.requestHash;
}
