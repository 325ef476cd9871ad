// Message templates: create, edit, delete, and a preview on a sample customer. A template is compiled when it is
// saved: an unknown placeholder, a malformed one or a pool the shop does not have is refused then, with its line
// and column, so a message never goes out with a blank where a code should be. What the template needs (pools to
// issue from, the run's code, triggered products) is stored with it. The preview renders with sample codes:
// nothing is issued and nothing is sent.
import type { Channel, MessageTemplate, Prisma } from "@prisma/client";
import { isUniqueViolation } from "../db/errors";
import type { ShopDb, ShopTx } from "../db/shop-scope.server";
import { renamePoolInSource, type TemplateNeeds } from "../domain/messages/template";
import { isSendingChannel, type SendingChannel } from "./channels.server";
import {
  compileParts,
  htmlToText,
  poolPlaceholderPosition,
  productLink,
  productUrlProblems,
  renderParts,
  sampleCode,
  unknownPoolNames,
  type FieldProblem,
  type TemplateField,
} from "./messages/compose";

export interface TemplateInput {
  name: string;
  channel: string;
  /** Email subject, or the push notification's title; SMS has none. */
  subject: string | null;
  body: string;
}

export type TemplateFormField = "name" | "channel" | TemplateField;

export type TemplateWriteResult =
  | { type: "saved"; template: MessageTemplate }
  /** Field errors in the merchant's words; placeholder problems also listed with their line and column. */
  | { type: "invalid"; errors: Partial<Record<TemplateFormField, string>>; problems: FieldProblem[] }
  | { type: "name_taken" }
  | { type: "not_found" };

const LIMITS: Record<SendingChannel, { body: number; subject: number | null; subjectRequired: boolean }> = {
  EMAIL: { body: 200_000, subject: 255, subjectRequired: true },
  // Ten concatenated SMS segments; providers refuse longer.
  SMS: { body: 1600, subject: null, subjectRequired: false },
  PUSH: { body: 1000, subject: 100, subjectRequired: false },
};

interface CheckedTemplate {
  name: string;
  channel: SendingChannel;
  subject: string | null;
  body: string;
  needs: TemplateNeeds;
}

function describeProblem(p: FieldProblem): string {
  return `Line ${p.line}, column ${p.column}: ${p.message}`;
}

/** Validates and compiles; pool names are checked against the shop's live pools. */
export async function checkTemplate(
  db: ShopDb,
  input: TemplateInput,
): Promise<{ ok: true; value: CheckedTemplate } | { ok: false; errors: Partial<Record<TemplateFormField, string>>; problems: FieldProblem[] }> {
  const errors: Partial<Record<TemplateFormField, string>> = {};
  const name = input.name.trim();
  if (!name) errors.name = "Give the template a name";
  else if (name.length > 100) errors.name = "Keep the name under 100 characters";
  if (!isSendingChannel(input.channel)) {
    errors.channel = "Choose email, SMS or push";
    return { ok: false, errors, problems: [] };
  }
  const channel = input.channel;
  const limits = LIMITS[channel];
  const subject = limits.subject === null ? null : (input.subject ?? "").trim() || null;
  if (limits.subjectRequired && !subject) errors.subject = "An email needs a subject";
  else if (subject && limits.subject !== null && subject.length > limits.subject) errors.subject = `Keep it under ${limits.subject} characters`;
  const body = input.body;
  if (!body.trim()) errors.body = "Write the message";
  else if (body.length > limits.body) errors.body = `Keep the message under ${limits.body.toLocaleString("en")} characters`;

  const compiled = compileParts(channel, subject, body);
  // Every check runs on every pass, so the merchant sees all that is wrong at once, not one kind after another.
  const problems: FieldProblem[] = compiled.type === "invalid" ? [...compiled.problems] : [];
  const [pools, shop] = await Promise.all([
    db.pool.findMany({ where: { deletedAt: null }, select: { name: true } }),
    db.shop.findFirstOrThrow({ select: { platform: true } }),
  ]);
  problems.push(...productUrlProblems("subject", subject, shop.platform), ...productUrlProblems("body", body, shop.platform));
  for (const pool of unknownPoolNames(compiled.needs, pools.map((p) => p.name))) {
    const sources: [TemplateField, string | null][] = [
      ["subject", subject],
      ["body", body],
    ];
    const message = `There is no pool named "${pool}" in this store`;
    const found = sources.map(([field, source]) => ({ field, at: source ? poolPlaceholderPosition(source, pool) : null })).find((s) => s.at);
    problems.push(found?.at ? { field: found.field, ...found.at, message } : { field: "body", line: 1, column: 1, message });
  }
  for (const field of ["subject", "body"] as const) {
    const mine = problems.filter((p) => p.field === field).sort((a, b) => a.line - b.line || a.column - b.column);
    if (mine.length && !errors[field]) errors[field] = mine.map(describeProblem).join("\n");
  }
  if (Object.keys(errors).length > 0 || compiled.type === "invalid" || problems.length > 0) return { ok: false, errors, problems };
  return { ok: true, value: { name, channel, subject, body, needs: compiled.needs } };
}

export async function saveTemplate(db: ShopDb, shopId: string, input: TemplateInput, templateId?: string): Promise<TemplateWriteResult> {
  const checked = await checkTemplate(db, input);
  if (!checked.ok) return { type: "invalid", errors: checked.errors, problems: checked.problems };
  const { name, channel, subject, body, needs } = checked.value;
  const data = { name, channel, subject, body, needs: needs as unknown as Prisma.InputJsonValue };
  try {
    if (!templateId) return { type: "saved", template: await db.messageTemplate.create({ data: { shopId, ...data } }) };
    const { count } = await db.messageTemplate.updateMany({ where: { id: templateId }, data });
    if (count === 0) return { type: "not_found" };
    return { type: "saved", template: await db.messageTemplate.findFirstOrThrow({ where: { id: templateId } }) };
  } catch (error) {
    if (isUniqueViolation(error)) return { type: "name_taken" };
    throw error;
  }
}

/** The shop's templates that name pool `name` in a placeholder (the subject or the body). */
export async function templatesNamingPool(db: ShopDb | ShopTx, name: string): Promise<{ id: string; channel: Channel; subject: string | null; body: string }[]> {
  const rows = await db.messageTemplate.findMany({ select: { id: true, channel: true, subject: true, body: true } });
  return rows.filter((t) => renamePoolInSource(t.body, name, name).count + renamePoolInSource(t.subject ?? "", name, name).count > 0);
}

/**
 * A pool renamed from `from` to `to`: the templates naming it are rewritten to the new name (and what they need
 * stored again), so they keep issuing from the same pool. Run in the rename's transaction. Returns how many changed.
 */
export async function renamePoolInTemplates(tx: ShopTx, from: string, to: string): Promise<number> {
  const templates = await templatesNamingPool(tx, from);
  for (const t of templates) {
    const subject = t.subject === null ? null : renamePoolInSource(t.subject, from, to).source;
    const body = renamePoolInSource(t.body, from, to).source;
    const compiled = compileParts(t.channel, subject, body);
    const needs = compiled.type === "compiled" ? { needs: compiled.needs as unknown as Prisma.InputJsonValue } : {};
    await tx.messageTemplate.updateMany({ where: { id: t.id }, data: { subject, body, ...needs } });
  }
  return templates.length;
}

/** Messages already sent keep their text; they only lose the link to the template. */
export async function deleteTemplate(db: ShopDb, templateId: string): Promise<boolean> {
  const { count } = await db.messageTemplate.deleteMany({ where: { id: templateId } });
  return count === 1;
}

export async function getTemplate(db: ShopDb, templateId: string): Promise<MessageTemplate | null> {
  return db.messageTemplate.findFirst({ where: { id: templateId } });
}

export interface TemplateSummary {
  id: string;
  name: string;
  channel: Channel;
  subject: string | null;
  updatedAt: Date;
  sent: number;
  failed: number;
}

export async function listTemplates(db: ShopDb): Promise<TemplateSummary[]> {
  const [templates, counts] = await Promise.all([
    db.messageTemplate.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, channel: true, subject: true, updatedAt: true } }),
    db.message.groupBy({ by: ["templateId", "status"], where: { templateId: { not: null }, status: { in: ["SENT", "FAILED"] } }, _count: { _all: true } }),
  ]);
  const count = (id: string, status: string) => counts.find((c) => c.templateId === id && c.status === status)?._count._all ?? 0;
  return templates.map((t) => ({ ...t, sent: count(t.id, "SENT"), failed: count(t.id, "FAILED") }));
}

/** Templates a campaign or scenario can send, for their pickers. */
export async function templateChoices(db: ShopDb): Promise<{ id: string; name: string; channel: Channel }[]> {
  return db.messageTemplate.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, channel: true } });
}

// ---- preview -----------------------------------------------------------------------------------------------------

export interface PreviewCustomer {
  id: string | null;
  label: string;
  /** Made up: the shop has no customer to show it on. */
  sample: boolean;
}

export type PreviewResult =
  | { type: "preview"; subject: string | null; body: string; text: string | null; customer: PreviewCustomer }
  | { type: "invalid"; errors: Partial<Record<TemplateFormField, string>>; problems: FieldProblem[] };

const SAMPLE_CUSTOMER = { firstName: "Jane", lastName: "Doe", email: "jane.doe@example.com" };
const SAMPLE_PRODUCTS: { id: string; title: string; vendor: string; url: string }[] = [
  { id: "sample-1", title: "Linen shirt", vendor: "Sample Co", url: "/products/linen-shirt" },
  { id: "sample-2", title: "Canvas tote", vendor: "Sample Co", url: "/products/canvas-tote" },
];

/** Customers the preview can be shown on: the most recent ones with an email or phone. */
export async function previewCustomers(db: ShopDb, take = 20): Promise<{ id: string; label: string }[]> {
  const rows = await db.customer.findMany({
    where: { OR: [{ email: { not: null } }, { phone: { not: null } }] },
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, firstName: true, lastName: true, email: true, phone: true },
  });
  return rows.map((c) => ({ id: c.id, label: customerLabel(c) }));
}

function customerLabel(c: { firstName: string | null; lastName: string | null; email: string | null; phone: string | null }): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(" ");
  const address = c.email ?? c.phone ?? "";
  return name ? `${name}${address ? ` (${address})` : ""}` : address;
}

/**
 * Renders a template as `customerId` (or the shop's most recent customer, or a made-up one) would receive it, with
 * sample codes in place of the codes it would issue.
 */
export async function previewTemplate(db: ShopDb, input: TemplateInput, options: { customerId?: string | null; now?: Date } = {}): Promise<PreviewResult> {
  const checked = await checkTemplate(db, { ...input, name: input.name.trim() || "preview" });
  if (!checked.ok) return { type: "invalid", errors: checked.errors, problems: checked.problems };
  const { channel, subject, body } = checked.value;
  const compiled = compileParts(channel, subject, body);
  if (compiled.type === "invalid") return { type: "invalid", errors: {}, problems: compiled.problems };

  const select = { id: true, firstName: true, lastName: true, email: true, phone: true } as const;
  const chosen = options.customerId ? await db.customer.findFirst({ where: { id: options.customerId }, select }) : null;
  const customer =
    chosen ??
    (await db.customer.findFirst({ where: { OR: [{ email: { not: null } }, { phone: { not: null } }] }, orderBy: { createdAt: "desc" }, select }));
  const shop = await db.shop.findFirstOrThrow({ select: { name: true, domain: true, platform: true } });
  const products = compiled.needs.triggeredProducts
    ? await db.product.findMany({ take: 2, orderBy: { updatedAt: "desc" }, select: { platformId: true, title: true, vendor: true, url: true } })
    : [];
  const now = options.now ?? new Date();
  const allPools = [...compiled.needs.initialPools, ...compiled.needs.reissuePools];
  const rendered = renderParts(channel, compiled, {
    runCode: sampleCode(null),
    codeExpiresAt: new Date(now.getTime() + 30 * 24 * 3600_000),
    customer: customer ?? SAMPLE_CUSTOMER,
    shopName: shop.name ?? shop.domain,
    poolCodes: new Map(allPools.map((p) => [p, sampleCode(p)])),
    lastPoolCodes: new Map(allPools.map((p) => [p, sampleCode(p)])),
    triggeredProducts: (products.length ? products.map((p) => ({ id: p.platformId, title: p.title, vendor: p.vendor, url: p.url })) : SAMPLE_PRODUCTS).map(
      (p) => ({ ...p, url: productLink(shop, p.url) }),
    ),
  });
  return {
    type: "preview",
    subject: rendered.subject,
    body: rendered.body,
    text: channel === "EMAIL" ? htmlToText(rendered.body) : null,
    customer: customer ? { id: customer.id, label: customerLabel(customer), sample: false } : { id: null, label: "Jane Doe (a made-up customer)", sample: true },
  };
}
