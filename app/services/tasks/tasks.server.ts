// The tasks page's data: every task of the shop, newest first, with its scenario or campaign, customer, order,
// status, times and code, filtered by status, by scenario or campaign and by the day it was created, a page at a
// time.
import type { Prisma, TaskStatus } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import { parseTaskContext, stepOf } from "./context";
import { isUuid } from "../../domain/ids";

export const TASK_PAGE_SIZE = 50;

const STATUSES: readonly TaskStatus[] = ["PENDING", "EXECUTED", "CANCELLED", "FAILED", "SUCCEEDED", "CONDITIONS_NOT_MET"];
// Year 0000 passes Date.parse but not PostgreSQL (its calendar has no year 0): the filter failed with a 500.
const DAY = /^(?!0000)\d{4}-\d{2}-\d{2}$/;

export interface TaskFilter {
  status: TaskStatus | null;
  source: { type: "scenario" | "campaign"; id: string } | null;
  /** Created on or after this day (UTC). */
  from: string | null;
  /** Created on or before this day (UTC). */
  to: string | null;
  page: number;
}

function day(value: string | null): string | null {
  return value && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? value : null;
}

/** Reads the filter from the page's query; anything unreadable is simply not filtered on. */
export function parseTaskFilter(params: URLSearchParams): TaskFilter {
  const status = params.get("status");
  const source = /^(scenario|campaign):(.+)$/.exec(params.get("source") ?? "");
  const page = Number(params.get("page"));
  return {
    status: STATUSES.includes(status as TaskStatus) ? (status as TaskStatus) : null,
    source: source && isUuid(source[2]!) ? { type: source[1] as "scenario" | "campaign", id: source[2]! } : null,
    from: day(params.get("from")),
    to: day(params.get("to")),
    // A page number too large to be exact (20 digits) made an offset Prisma refuses: the first page instead.
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
  };
}

function where(filter: TaskFilter): Prisma.TaskWhereInput {
  const createdAt: Prisma.DateTimeFilter = {};
  if (filter.from) createdAt.gte = new Date(`${filter.from}T00:00:00Z`);
  if (filter.to) createdAt.lt = new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000);
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.source?.type === "scenario" ? { scenarioId: filter.source.id } : {}),
    ...(filter.source?.type === "campaign" ? { campaignId: filter.source.id } : {}),
    ...(filter.from || filter.to ? { createdAt } : {}),
  };
}

export interface TaskView {
  id: string;
  status: TaskStatus;
  createdAt: Date;
  dueAt: Date;
  executedAt: Date | null;
  finishedAt: Date | null;
  checkAt: Date | null;
  outcome: string | null;
  error: string | null;
  scenario: { id: string; name: string } | null;
  campaign: { id: string; name: string } | null;
  customer: { id: string; label: string } | null;
  order: { id: string; label: string } | null;
  code: string | null;
}

function customerLabel(c: { email: string | null; firstName: string | null; lastName: string | null }): string {
  return [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || "Customer";
}

/** The code a task gave: the issued code's text, or the pool's fallback code the run sent instead. */
function fallbackCode(context: Prisma.JsonValue): string | null {
  const parsed = parseTaskContext(context);
  for (let i = 0; i < 10; i++) {
    const step = stepOf(parsed, i);
    if (step?.kind === "code" && step.code) return step.code;
  }
  return null;
}

export async function listTasks(db: ShopDb, filter: TaskFilter): Promise<{ tasks: TaskView[]; total: number; pageCount: number }> {
  const match = where(filter);
  const [total, rows] = await Promise.all([
    db.task.count({ where: match }),
    db.task.findMany({
      where: match,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (filter.page - 1) * TASK_PAGE_SIZE,
      take: TASK_PAGE_SIZE,
      select: {
        id: true,
        status: true,
        createdAt: true,
        dueAt: true,
        executedAt: true,
        finishedAt: true,
        checkAt: true,
        outcome: true,
        error: true,
        codeId: true,
        context: true,
        scenario: { select: { id: true, name: true } },
        campaign: { select: { id: true, name: true } },
        customer: { select: { id: true, email: true, firstName: true, lastName: true } },
        order: { select: { id: true, name: true, platformId: true } },
      },
    }),
  ]);
  const codeIds = rows.flatMap((r) => (r.codeId === null ? [] : [r.codeId]));
  const codes = codeIds.length ? await db.code.findMany({ where: { id: { in: codeIds } }, select: { id: true, code: true } }) : [];
  const codeText = new Map(codes.map((c) => [c.id.toString(), c.code]));
  return {
    total,
    pageCount: Math.max(1, Math.ceil(total / TASK_PAGE_SIZE)),
    tasks: rows.map((r) => ({
      id: r.id,
      status: r.status,
      createdAt: r.createdAt,
      dueAt: r.dueAt,
      executedAt: r.executedAt,
      finishedAt: r.finishedAt,
      checkAt: r.checkAt,
      outcome: r.outcome,
      error: r.error,
      scenario: r.scenario,
      campaign: r.campaign,
      customer: r.customer ? { id: r.customer.id, label: customerLabel(r.customer) } : null,
      order: r.order ? { id: r.order.id, label: r.order.name ?? r.order.platformId.split("/").pop() ?? r.order.platformId } : null,
      code: (r.codeId !== null ? codeText.get(r.codeId.toString()) : null) ?? fallbackCode(r.context),
    })),
  };
}

/** What the source filter offers: the shop's scenarios and campaigns by name. */
export async function taskSources(db: ShopDb) {
  const [scenarios, campaigns] = await Promise.all([
    db.scenario.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
    db.campaign.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
  ]);
  return { scenarios, campaigns };
}
