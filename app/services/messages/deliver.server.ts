// Queues one message for one customer from a template: resolves the codes the template needs (the run's code is
// passed in; pool placeholders issue or look up codes with idempotency keys derived from the dedupe key), renders,
// stores the Message row (unique per shop and dedupe key, so a retried task never makes a second message) and
// hands it to the send job (send.server.ts), which delivers it through the shop's channel.
//
// Outcomes that are not a queued message are values: a duplicate (the same dedupe key again), a skip (no address,
// an empty pool set to skip, the template or a pool it names gone; stored as a SKIPPED row so the reason stays visible, and answered
// again as a skip if asked twice) or a hold (an empty pool set to hold: nothing is stored, the caller asks again).
import type { Channel } from "@prisma/client";
import { isUniqueViolation } from "../../db/errors";
import type { ShopDb } from "../../db/shop-scope.server";
import type { TriggeredProduct } from "../../domain/messages/template";
import type { DynamicOptions } from "../pools/dynamic.server";
import { resolveTemplateCodes } from "./codes.server";
import { compileParts, renderParts, type CompiledParts } from "./compose";
import { enqueueSends, insertMessages, type NewMessage } from "./store.server";

export interface RunCode {
  codeId: string | null;
  code: string;
  expiresAt: Date | null;
}

export interface MessageRequest {
  shopId: string;
  customerId: string;
  templateId: string;
  /** Unique per shop: the same key twice is the same message (task:<id>:<action index>, broadcast:<id>:<customer>). */
  dedupeKey: string;
  taskId?: string | null;
  campaignId?: string | null;
  /** The code this run issued, for {{promoCode}} and its synonyms; null when the run issued none. */
  runCode: RunCode | null;
  /** Why the run has no code (its code step found the pool gone, the platform refused): the skip's reason. */
  runCodeMissing?: string | null;
  triggeredProducts: TriggeredProduct[];
  /** Issuance source for codes the template itself issues: campaign:<id>, scenario:<id>, broadcast:<id>. */
  source: string;
}

export type QueueMessageResult =
  | { type: "queued"; messageId: string }
  /** Already queued or sent under this dedupe key. */
  | { type: "duplicate"; messageId: string; status: string }
  /** Not sent, on purpose: no address for the channel, an empty pool whose setting is to skip, a template or a pool it names gone. */
  | { type: "skipped"; reason: string }
  /** A pool the template issues from is empty and holds messages until it is refilled. */
  | { type: "held"; reason: string };

export interface QueueOptions {
  /** Platform adapter and clock for dynamic pools the template issues from (tests pass their own). */
  dynamic?: DynamicOptions;
  /** Whether to enqueue the send job (off when the caller sends the messages itself). */
  enqueue?: boolean;
}

export interface Recipient {
  email: string | null;
  phone: string | null;
  platformId: string;
}

/** Where a channel delivers to: the customer's email, phone, or (push) their id on the store, which the provider maps to devices. */
export function recipientFor(channel: Channel, customer: Recipient): string | null {
  switch (channel) {
    case "EMAIL":
      return customer.email?.trim() || null;
    case "SMS":
      return customer.phone?.trim() || null;
    case "PUSH":
      return customer.platformId || null;
    case "SHOPIFY":
      return null;
  }
}

export function noAddressReason(channel: Channel): string {
  switch (channel) {
    case "EMAIL":
      return "The customer has no email address";
    case "SMS":
      return "The customer has no phone number";
    case "PUSH":
      return "The customer has no id to push to";
    case "SHOPIFY":
      return "Shopify actions are not sent as messages";
  }
}

export interface LoadedTemplate {
  id: string;
  channel: Channel;
  parts: CompiledParts;
}

export type TemplateLoad = { type: "ready"; template: LoadedTemplate } | { type: "unusable"; reason: string };

/** Compiles the stored template again: it was valid when saved, and compiling is cheaper than storing nodes. */
export async function loadTemplate(db: ShopDb, templateId: string): Promise<TemplateLoad> {
  const row = await db.messageTemplate.findFirst({ where: { id: templateId }, select: { id: true, channel: true, subject: true, body: true } });
  if (!row) return { type: "unusable", reason: "The message template was deleted" };
  if (row.channel === "SHOPIFY") return { type: "unusable", reason: "Shopify actions are not sent as messages" };
  const compiled = compileParts(row.channel, row.subject, row.body);
  if (compiled.type === "invalid") {
    const first = compiled.problems[0]!;
    return { type: "unusable", reason: `The template no longer compiles (${first.field} line ${first.line}: ${first.message})` };
  }
  return { type: "ready", template: { id: row.id, channel: row.channel, parts: compiled } };
}

async function existing(db: ShopDb, dedupeKey: string): Promise<QueueMessageResult | null> {
  const row = await db.message.findFirst({ where: { dedupeKey }, select: { id: true, status: true, error: true } });
  if (!row) return null;
  if (row.status === "SKIPPED") return { type: "skipped", reason: row.error ?? "Skipped" };
  return { type: "duplicate", messageId: row.id.toString(), status: row.status };
}

function skippedRow(request: MessageRequest, channel: Channel, reason: string): NewMessage {
  return {
    customerId: request.customerId,
    taskId: request.taskId ?? null,
    templateId: request.templateId,
    campaignId: request.campaignId ?? null,
    codeId: null,
    channel,
    recipient: "",
    subject: null,
    body: "",
    status: "SKIPPED",
    dedupeKey: request.dedupeKey,
    error: reason,
  };
}

async function store(db: ShopDb, request: MessageRequest, row: NewMessage): Promise<QueueMessageResult> {
  const [inserted] = await insertMessages(db, request.shopId, [row]);
  // Another attempt with the same key stored first: its answer is this one's.
  if (!inserted) return (await existing(db, request.dedupeKey)) ?? { type: "skipped", reason: "The message could not be stored" };
  if (inserted.status === "SKIPPED") return { type: "skipped", reason: row.error ?? "Skipped" };
  return { type: "queued", messageId: inserted.id.toString() };
}

export async function queueMessage(db: ShopDb, request: MessageRequest, options: QueueOptions = {}): Promise<QueueMessageResult> {
  const earlier = await existing(db, request.dedupeKey);
  if (earlier) return earlier;

  const loaded = await loadTemplate(db, request.templateId);
  if (loaded.type === "unusable") {
    // Without the template there is no channel to record; the caller counts the skip.
    return { type: "skipped", reason: loaded.reason };
  }
  const { template } = loaded;
  const customer = await db.customer.findFirst({
    where: { id: request.customerId },
    select: { email: true, phone: true, platformId: true, firstName: true, lastName: true },
  });
  if (!customer) return { type: "skipped", reason: "The customer no longer exists" };
  const recipient = recipientFor(template.channel, customer);
  if (!recipient) return store(db, request, skippedRow(request, template.channel, noAddressReason(template.channel)));
  if (template.parts.needs.runCode && !request.runCode) {
    const why = request.runCodeMissing ? `The template shows the run's code, and the run has none: ${request.runCodeMissing}` : "The template shows the run's code, but this run issued none";
    return store(db, request, skippedRow(request, template.channel, why));
  }

  const codes = await resolveTemplateCodes(
    db,
    {
      shopId: request.shopId,
      customerId: request.customerId,
      dedupeKey: request.dedupeKey,
      source: request.source,
      needs: template.parts.needs,
      triggeredProductIds: request.triggeredProducts.map((p) => p.id),
    },
    { dynamic: options.dynamic },
  );
  if (codes.type === "held") return { type: "held", reason: codes.reason };
  if (codes.type === "skip") return store(db, request, skippedRow(request, template.channel, codes.reason));

  const shop = await db.shop.findFirstOrThrow({ select: { name: true, domain: true } });
  const rendered = renderParts(template.channel, template.parts, {
    runCode: request.runCode?.code ?? null,
    codeExpiresAt: request.runCode?.expiresAt ?? codes.first?.expiresAt ?? null,
    customer,
    shopName: shop.name ?? shop.domain,
    poolCodes: codes.poolCodes,
    lastPoolCodes: codes.lastPoolCodes,
    triggeredProducts: request.triggeredProducts,
  });
  let result: QueueMessageResult;
  try {
    result = await store(db, request, {
      customerId: request.customerId,
      taskId: request.taskId ?? null,
      templateId: template.id,
      campaignId: request.campaignId ?? null,
      codeId: request.runCode?.codeId ?? codes.first?.codeId ?? null,
      channel: template.channel,
      recipient,
      subject: rendered.subject,
      body: rendered.body,
      status: "QUEUED",
      dedupeKey: request.dedupeKey,
      error: null,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    result = (await existing(db, request.dedupeKey)) ?? { type: "skipped", reason: "The message could not be stored" };
  }
  // Not awaited: the stored row is what counts, and the sweep enqueues it if Redis does not take the job.
  if (result.type === "queued" && options.enqueue !== false) void enqueueSends(request.shopId, [BigInt(result.messageId)]);
  return result;
}

