// What a task row's `context` column holds, read leniently (rows written by older code or by hand still load).
// Three parts: facts from when the task was created (trigger, time, triggered products), the run's lease and the
// actions it was started with, and one record per action already done. The per-action records are what make a
// retried run (a worker killed mid-task, a transient platform error) carry on where it stopped instead of starting
// over: a code step is never re-decided (an empty pool that was skipped stays skipped), and the Flow trigger, which
// the platform cannot de-duplicate, is marked before it is fired.
import { z } from "zod";

export const StepRecord = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("code"),
    /** issued: from the pool; fallback: the pool's fallback code; skipped: no code (why says which). */
    status: z.enum(["issued", "fallback", "skipped"]),
    poolId: z.string().nullable().default(null),
    codeId: z.string().nullable().default(null),
    code: z.string().nullable().default(null),
    expiresAt: z.string().nullable().default(null),
    /** The pool is empty and its setting is to skip the message: the messages after this step are not sent. */
    skipsMessages: z.boolean().default(false),
    reason: z.string().nullable().default(null),
  }),
  z.object({
    kind: z.literal("message"),
    status: z.enum(["queued", "skipped"]),
    messageId: z.string().nullable().default(null),
    reason: z.string().nullable().default(null),
  }),
  z.object({
    kind: z.literal("shopify"),
    /** firing: the Flow trigger is being sent (a run that finds this never sends it again). */
    status: z.enum(["done", "refused", "skipped", "firing", "unconfirmed"]),
    reason: z.string().nullable().default(null),
  }),
]);
export type StepRecord = z.infer<typeof StepRecord>;
export type StepInput = z.input<typeof StepRecord>;

const RunState = z.object({
  /** Epoch ms until which the runner that claimed the task owns it; absent when nobody runs it. */
  leaseUntilMs: z.number().optional(),
  runner: z.string().optional(),
  attempts: z.number().default(0),
  startedAt: z.string().optional(),
  /** The scenario's or campaign's actions when the task first ran: an edit mid-run does not change a started run. */
  actions: z.array(z.unknown()).optional(),
});

export const TaskContext = z
  .object({
    trigger: z.string().optional(),
    /** When the triggering event happened; "new order" conditions count orders placed after it. */
    triggeredAt: z.string().optional(),
    eventKey: z.string().optional(),
    reviewId: z.string().optional(),
    /** Product platform ids that made the customer qualify (campaigns), for dynamic codes and messages. */
    triggeredProducts: z.array(z.coerce.string()).catch([]).default([]),
    transitionId: z.string().nullable().optional(),
    run: RunState.optional(),
    steps: z.record(z.string(), z.unknown()).default({}),
  })
  .loose();
export type TaskContext = z.infer<typeof TaskContext>;

export function parseTaskContext(value: unknown): TaskContext {
  const parsed = TaskContext.safeParse(value ?? {});
  return parsed.success ? parsed.data : { triggeredProducts: [], steps: {} };
}

/** The record of action `index`, if that action was done (an unreadable record counts as not done). */
export function stepOf(context: TaskContext, index: number): StepRecord | null {
  const raw = context.steps[String(index)];
  if (raw === undefined) return null;
  const parsed = StepRecord.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function triggeredAtOf(context: TaskContext, fallback: Date): Date {
  const at = context.triggeredAt ? new Date(context.triggeredAt) : null;
  return at && !Number.isNaN(at.getTime()) ? at : fallback;
}
