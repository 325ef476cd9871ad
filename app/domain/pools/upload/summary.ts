// The report an upload ends with (admin page and API): counts, plus the first rejected lines.
//
// Counts are disjoint: every non-blank line of the file is exactly one of accepted, duplicatesInFile,
// duplicatesInPool or rejected (rejected = refused for any other reason). The rejected-line list is capped so a
// bad million-line file does not produce a million-line report; `rejectionsOmitted` counts the rest.
// Of the accepted codes, `acceptedExpired` arrived past their expiry and `acceptedInUse` were marked in use: both
// are added (so a later upload of them is a duplicate) but stored as expired or retired, never issued.

import { REJECT_REASONS, type RejectedLine, type RejectReason, type UploadBatch } from "./types";

export const DEFAULT_REPORTED_REJECTIONS = 1_000;

export interface UploadReport {
  accepted: number;
  /** Accepted codes already past their expiry: stored as expired. */
  acceptedExpired: number;
  /** Accepted codes marked in use: stored as retired. */
  acceptedInUse: number;
  duplicatesInFile: number;
  duplicatesInPool: number;
  rejected: number;
  blankLines: number;
  bytesRead: number;
  byReason: Record<RejectReason, number>;
  /** In the order they were found (file order for the parser's own rejections). */
  rejections: RejectedLine[];
  rejectionsOmitted: number;
}

export class UploadSummary {
  private accepted = 0;
  private blankLines = 0;
  private bytesRead = 0;
  private readonly byReason = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  private readonly rejections: RejectedLine[] = [];
  private rejectionsOmitted = 0;
  private acceptedExpired = 0;
  private acceptedInUse = 0;
  /** Whether any accepted code carries an expiry or the in-use flag: only then can one be stored other than available. */
  private statusFields = false;

  constructor(private readonly maxReported: number = DEFAULT_REPORTED_REJECTIONS) {}

  /**
   * Counts a batch. Services that drop codes the pool already has pass the batch with those removed from
   * `accepted` and added to `rejected` as `duplicate_in_pool`.
   */
  add(
    batch: Pick<UploadBatch, "accepted" | "rejected"> & Partial<Pick<UploadBatch, "blankLines" | "bytesRead">>,
  ): this {
    this.accepted += batch.accepted.length;
    if (!this.statusFields) this.statusFields = batch.accepted.some((c) => c.expiresAt !== null || c.inUse);
    this.blankLines += batch.blankLines ?? 0;
    if (batch.bytesRead !== undefined) this.bytesRead = Math.max(this.bytesRead, batch.bytesRead);
    for (const line of batch.rejected) {
      this.byReason[line.reason]++;
      if (this.rejections.length < this.maxReported) this.rejections.push(line);
      else this.rejectionsOmitted++;
    }
    return this;
  }

  /**
   * Moves `count` accepted codes to duplicate_in_pool: those an upload found already in the pool once the whole file
   * was read. `lines` are the first of them, reported as far as the cap allows.
   */
  moveToPoolDuplicates(count: number, lines: readonly RejectedLine[]): this {
    if (count < lines.length || count > this.accepted) throw new RangeError(`cannot move ${count} of ${this.accepted} accepted codes`);
    this.accepted -= count;
    this.byReason.duplicate_in_pool += count;
    const room = Math.max(0, this.maxReported - this.rejections.length);
    this.rejections.push(...lines.slice(0, room));
    this.rejectionsOmitted += count - Math.min(room, lines.length);
    return this;
  }

  get hasStatusFields(): boolean {
    return this.statusFields;
  }

  /** How many of the codes added were stored expired or retired, counted where they were added (same clock). */
  setAddedStatuses(counts: { expired: number; inUse: number }): this {
    if (counts.expired < 0 || counts.inUse < 0 || counts.expired + counts.inUse > this.accepted) {
      throw new RangeError(`cannot count ${counts.expired} expired and ${counts.inUse} in use of ${this.accepted} accepted codes`);
    }
    this.acceptedExpired = counts.expired;
    this.acceptedInUse = counts.inUse;
    return this;
  }

  report(): UploadReport {
    const duplicatesInFile = this.byReason.duplicate_in_file;
    const duplicatesInPool = this.byReason.duplicate_in_pool;
    let rejected = 0;
    for (const reason of REJECT_REASONS) rejected += this.byReason[reason];
    return {
      accepted: this.accepted,
      acceptedExpired: this.acceptedExpired,
      acceptedInUse: this.acceptedInUse,
      duplicatesInFile,
      duplicatesInPool,
      rejected: rejected - duplicatesInFile - duplicatesInPool,
      blankLines: this.blankLines,
      bytesRead: this.bytesRead,
      byReason: { ...this.byReason },
      rejections: [...this.rejections],
      rejectionsOmitted: this.rejectionsOmitted,
    };
  }
}

/** A report as stored on its import row; those stored before acceptedExpired and acceptedInUse existed lack them. */
export function storedReport(json: unknown): UploadReport | null {
  if (json === null || typeof json !== "object") return null;
  return { acceptedExpired: 0, acceptedInUse: 0, ...(json as Omit<UploadReport, "acceptedExpired" | "acceptedInUse">) };
}

/** Folds a whole parse into a report (for callers that do not insert batch by batch). */
export async function summarise(
  batches: AsyncIterable<UploadBatch> | Iterable<UploadBatch>,
  maxReported?: number,
): Promise<UploadReport> {
  const summary = new UploadSummary(maxReported);
  for await (const batch of batches) summary.add(batch);
  return summary.report();
}
