// Order-triggered scenarios: create, edit, switch on and off, delete, list with their task counts. Settings are
// validated by the domain schema (app/domain/scenarios/scenario.ts) and then against the shop: the pools and
// templates the actions name must exist here. The columns hold the settings flat (trigger, delay, flags) and as
// JSON (limits, cancellation conditions, success {conditions, wait}, actions); settingsOf reads them back.
//
// Switching a scenario off stops new tasks only: the runner does not look at `active`, so tasks already started
// run to the end. Deleting one deletes its tasks with it (the schema cascades), so a deleted scenario's queued jobs
// find nothing to run.
import type { Prisma, Scenario, TaskStatus } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import {
  ScenarioSettings,
  SCENARIO_TRIGGERS,
  type ScenarioSettingsInput,
  type ScenarioTrigger,
} from "../../domain/scenarios/scenario";
import { TIME_UNITS, type TimeUnit } from "../../domain/time";
import { isUuid } from "../../domain/ids";

export type FieldErrors = Record<string, string>;

export type ScenarioWriteResult = { type: "saved"; scenario: Scenario } | { type: "invalid"; errors: FieldErrors } | { type: "not_found" };

function fieldErrors(issues: { path: PropertyKey[]; message: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

/** What the actions point at must exist in this shop; an expiry only makes sense where the code is created. */
async function referenceErrors(db: ShopDb, settings: ScenarioSettings): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const poolIds = settings.actions.flatMap((a) => (a.type === "generate_code" ? [a.poolId] : []));
  const templateIds = settings.actions.flatMap((a) => (a.type === "send_message" ? [a.templateId] : []));
  const [pools, templates] = await Promise.all([
    poolIds.length ? db.pool.findMany({ where: { id: { in: poolIds }, deletedAt: null }, select: { id: true, kind: true } }) : [],
    templateIds.length ? db.messageTemplate.findMany({ where: { id: { in: templateIds } }, select: { id: true } }) : [],
  ]);
  settings.actions.forEach((action, index) => {
    if (action.type === "generate_code") {
      const pool = pools.find((p) => p.id === action.poolId);
      if (!pool) errors[`actions.${index}.poolId`] = "This pool no longer exists";
      else if (pool.kind === "STATIC" && action.expiry) {
        // Static codes were uploaded with their own expiry, and the store's discount decides when they stop working.
        errors[`actions.${index}.expiry`] = "Static codes keep the expiry they were uploaded with; set an expiry only for a dynamic pool";
      }
    }
    if (action.type === "send_message" && !templates.some((t) => t.id === action.templateId)) {
      errors[`actions.${index}.templateId`] = "This template no longer exists";
    }
  });
  return errors;
}

/** Validates settings against the schema and the shop without saving them. */
export async function validateScenario(db: ShopDb, input: ScenarioSettingsInput): Promise<{ ok: true; settings: ScenarioSettings } | { ok: false; errors: FieldErrors }> {
  const parsed = ScenarioSettings.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues) };
  const errors = await referenceErrors(db, parsed.data);
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, settings: parsed.data };
}

function json(value: unknown): Prisma.InputJsonValue {
  return value as Prisma.InputJsonValue;
}

function columns(settings: ScenarioSettings) {
  return {
    name: settings.name,
    active: settings.active,
    trigger: settings.trigger,
    limits: json(settings.limits),
    delayValue: settings.delay.value,
    delayUnit: settings.delay.unit,
    oncePerOrder: settings.oncePerOrder,
    oncePerUser: settings.oncePerUser,
    cancelConditions: json(settings.cancelConditions),
    // An empty list (the column's default) means "no success conditions".
    successConditions: json(settings.success ?? []),
    actions: json(settings.actions),
  };
}

type ScenarioColumns = Pick<
  Scenario,
  "name" | "active" | "trigger" | "limits" | "delayValue" | "delayUnit" | "oncePerOrder" | "oncePerUser" | "cancelConditions" | "successConditions" | "actions"
>;

/** The settings a row holds, or null when the row cannot be read as a scenario (it then starts nothing). */
export function settingsOf(row: ScenarioColumns): ScenarioSettings | null {
  const success = row.successConditions;
  const parsed = ScenarioSettings.safeParse({
    name: row.name,
    active: row.active,
    trigger: row.trigger,
    limits: row.limits,
    delay: { value: row.delayValue, unit: row.delayUnit },
    oncePerOrder: row.oncePerOrder,
    oncePerUser: row.oncePerUser,
    cancelConditions: row.cancelConditions,
    success: success && typeof success === "object" && !Array.isArray(success) ? success : null,
    actions: row.actions,
  });
  return parsed.success ? parsed.data : null;
}

export async function createScenario(db: ShopDb, shopId: string, input: ScenarioSettingsInput): Promise<ScenarioWriteResult> {
  const checked = await validateScenario(db, input);
  if (!checked.ok) return { type: "invalid", errors: checked.errors };
  const scenario = await db.scenario.create({ data: { shopId, ...columns(checked.settings) } });
  return { type: "saved", scenario };
}

export async function updateScenario(db: ShopDb, scenarioId: string, input: ScenarioSettingsInput): Promise<ScenarioWriteResult> {
  if (!isUuid(scenarioId)) return { type: "not_found" };
  const existing = await db.scenario.findFirst({ where: { id: scenarioId }, select: { id: true } });
  if (!existing) return { type: "not_found" };
  const checked = await validateScenario(db, input);
  if (!checked.ok) return { type: "invalid", errors: checked.errors };
  const scenario = await db.scenario.update({ where: { id: scenarioId }, data: columns(checked.settings) });
  return { type: "saved", scenario };
}

/** Off: no new tasks. Tasks already started (pending or waiting for success) run to their end. */
export async function setScenarioActive(db: ShopDb, scenarioId: string, active: boolean): Promise<ScenarioWriteResult> {
  if (!isUuid(scenarioId)) return { type: "not_found" };
  const updated = await db.scenario.updateMany({ where: { id: scenarioId }, data: { active } });
  if (updated.count === 0) return { type: "not_found" };
  return { type: "saved", scenario: await db.scenario.findFirstOrThrow({ where: { id: scenarioId } }) };
}

export async function scenarioTaskCount(db: ShopDb, scenarioId: string): Promise<number> {
  return isUuid(scenarioId) ? db.task.count({ where: { scenarioId } }) : 0;
}

/** Deletes the scenario and (by the schema's cascade) its tasks; their queued jobs then find nothing to run. */
export async function deleteScenario(db: ShopDb, scenarioId: string): Promise<{ type: "deleted"; tasks: number } | { type: "not_found" }> {
  if (!isUuid(scenarioId)) return { type: "not_found" };
  const tasks = await db.task.count({ where: { scenarioId } });
  const deleted = await db.scenario.deleteMany({ where: { id: scenarioId } });
  return deleted.count ? { type: "deleted", tasks } : { type: "not_found" };
}

export async function getScenario(db: ShopDb, scenarioId: string) {
  if (!isUuid(scenarioId)) return null;
  const row = await db.scenario.findFirst({ where: { id: scenarioId } });
  return row ? { row, settings: settingsOf(row) } : null;
}

/** Active scenarios listening to this trigger, with their settings read (unreadable rows are left out). */
export async function activeScenarios(db: ShopDb, trigger: ScenarioTrigger): Promise<{ id: string; settings: ScenarioSettings }[]> {
  const rows = await db.scenario.findMany({ where: { active: true, trigger }, orderBy: { createdAt: "asc" } });
  return rows.flatMap((row) => {
    const settings = settingsOf(row);
    return settings ? [{ id: row.id, settings }] : [];
  });
}

export type TaskCounts = Record<TaskStatus, number>;

export function emptyCounts(): TaskCounts {
  return { PENDING: 0, EXECUTED: 0, CANCELLED: 0, FAILED: 0, SUCCEEDED: 0, CONDITIONS_NOT_MET: 0 };
}

export interface ScenarioSummary {
  id: string;
  name: string;
  active: boolean;
  trigger: string;
  delay: { value: number; unit: TimeUnit };
  actions: number;
  createdAt: Date;
  counts: TaskCounts;
}

/** Every scenario of the shop, newest first, with how many of its tasks are in each status. */
export async function listScenarios(db: ShopDb): Promise<ScenarioSummary[]> {
  const rows = await db.scenario.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  const groups = rows.length
    ? await db.task.groupBy({ by: ["scenarioId", "status"], where: { scenarioId: { in: rows.map((r) => r.id) } }, _count: { _all: true } })
    : [];
  return rows.map((row) => {
    const counts = emptyCounts();
    for (const g of groups) if (g.scenarioId === row.id) counts[g.status] = g._count._all;
    return {
      id: row.id,
      name: row.name,
      active: row.active,
      trigger: row.trigger,
      delay: { value: row.delayValue, unit: (TIME_UNITS as readonly string[]).includes(row.delayUnit) ? (row.delayUnit as TimeUnit) : "minute" },
      actions: Array.isArray(row.actions) ? row.actions.length : 0,
      createdAt: row.createdAt,
      counts,
    };
  });
}

/** What the scenario form offers: live pools and the message templates (the messages pages create them). */
export async function scenarioPickers(db: ShopDb) {
  const [pools, templates] = await Promise.all([
    db.pool.findMany({ where: { deletedAt: null }, orderBy: { name: "asc" }, select: { id: true, name: true, kind: true } }),
    db.messageTemplate.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, channel: true } }),
  ]);
  return { pools, templates };
}

export function isScenarioTrigger(value: string): value is ScenarioTrigger {
  return (SCENARIO_TRIGGERS as readonly string[]).includes(value);
}

