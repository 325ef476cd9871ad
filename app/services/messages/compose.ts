// A template is two sources (subject and body) compiled together: what they need is merged, and their problems
// are reported per field. Rendering turns the body into what the channel carries: HTML for email (values escaped;
// a body written as plain text has its own text escaped and its line breaks kept), plain text for SMS and push.
// Pure: queueMessage, broadcasts and the preview share it.
import type { Channel } from "@prisma/client";
import {
  compileTemplate,
  escapeHtml,
  renderTemplate,
  type RenderContext,
  type TemplateNeeds,
  type TemplateNode,
} from "../../domain/messages/template";

export type TemplateField = "subject" | "body";

export interface FieldProblem {
  field: TemplateField;
  line: number;
  column: number;
  message: string;
}

export interface CompiledParts {
  subject: TemplateNode[] | null;
  body: TemplateNode[];
  needs: TemplateNeeds;
}

export type CompilePartsResult = ({ type: "compiled" } & CompiledParts) | { type: "invalid"; problems: FieldProblem[]; needs: TemplateNeeds };

export const EMPTY_NEEDS: TemplateNeeds = { runCode: false, initialPools: [], reissuePools: [], triggeredProducts: false };

function mergeNeeds(a: TemplateNeeds, b: TemplateNeeds): TemplateNeeds {
  const union = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  return {
    runCode: a.runCode || b.runCode,
    initialPools: union(a.initialPools, b.initialPools),
    reissuePools: union(a.reissuePools, b.reissuePools),
    triggeredProducts: a.triggeredProducts || b.triggeredProducts,
  };
}

/** A body with no markup of its own is plain text: it is escaped and its line breaks kept when sent as HTML. */
export function looksLikeHtml(source: string): boolean {
  return /<\/?[a-zA-Z][a-zA-Z0-9-]*(\s[^<>]*)?\/?>/.test(source);
}

function plainTextAsHtml(nodes: TemplateNode[]): TemplateNode[] {
  return nodes.map((node) => {
    if (node.type === "text") return { type: "text", text: escapeHtml(node.text).replace(/\r?\n/g, "<br>\n") };
    if (node.type === "products_block") return { ...node, children: plainTextAsHtml(node.children) };
    return node;
  });
}

export function compileParts(channel: Channel, subject: string | null, body: string): CompilePartsResult {
  const problems: FieldProblem[] = [];
  let needs = EMPTY_NEEDS;
  let subjectNodes: TemplateNode[] | null = null;
  if (subject !== null && subject !== "") {
    const compiled = compileTemplate(subject);
    needs = mergeNeeds(needs, compiled.needs);
    if (compiled.type === "invalid") problems.push(...compiled.problems.map((p) => ({ field: "subject" as const, ...p })));
    else subjectNodes = compiled.nodes;
  }
  const compiledBody = compileTemplate(body);
  needs = mergeNeeds(needs, compiledBody.needs);
  if (compiledBody.type === "invalid") problems.push(...compiledBody.problems.map((p) => ({ field: "body" as const, ...p })));
  if (problems.length > 0 || compiledBody.type === "invalid") return { type: "invalid", problems, needs };
  const bodyNodes = channel === "EMAIL" && !looksLikeHtml(body) ? plainTextAsHtml(compiledBody.nodes) : compiledBody.nodes;
  return { type: "compiled", subject: subjectNodes, body: bodyNodes, needs };
}

export type RenderValues = Omit<RenderContext, "escaping">;

export interface RenderedMessage {
  subject: string | null;
  body: string;
}

export function renderParts(channel: Channel, parts: CompiledParts, values: RenderValues): RenderedMessage {
  // Subjects are a header, not HTML: values go in as they are (nodemailer encodes the header).
  const subject = parts.subject ? renderTemplate(parts.subject, { ...values, escaping: "none" }).replace(/\s*\r?\n\s*/g, " ").trim() : null;
  const body = renderTemplate(parts.body, { ...values, escaping: channel === "EMAIL" ? "html" : "none" });
  return { subject, body };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", nbsp: " " };

/** The text/plain alternative of an HTML email: tags dropped, block ends as line breaks, links kept as text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, "")
    .replace(/<a\s[^>]*href\s*=\s*"([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_all, href: string, text: string) => (text.trim() && text.trim() !== href ? `${text} (${href})` : href))
    .replace(/<br\s*\/?>\s*\n?/gi, "\n")
    .replace(/<\/(p|div|h[1-6]|li|tr|table|ul|ol)>\s*/gi, "\n")
    .replace(/<li[^>]*>/gi, "- ")
    .replace(/<[^>]+>/g, "")
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_all, name: string) => ENTITIES[name] ?? "")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** What the preview shows for a code it must not issue: recognisably a sample, shaped like the pool's name. */
export function sampleCode(poolName: string | null): string {
  if (!poolName) return "SAMPLE-CODE";
  const slug = poolName
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toUpperCase()
    .slice(0, 20);
  return slug ? `${slug}-SAMPLE` : "SAMPLE-CODE";
}

/** Where each pool placeholder naming `pool` first appears, for a save error next to the field. */
export function poolPlaceholderPosition(source: string, pool: string): { line: number; column: number } | null {
  const pattern = /\{\{\s*client\.(?:promocode|last_promocode)\(\s*(['"])(.*?)\1\s*\)\s*\}\}/g;
  for (const match of source.matchAll(pattern)) {
    if ((match[2] ?? "").trim().toLowerCase() !== pool.toLowerCase()) continue;
    const before = source.slice(0, match.index);
    return { line: before.split("\n").length, column: match.index - before.lastIndexOf("\n") };
  }
  return null;
}

/**
 * {{product.url}} on a Shopify store: the shop's own domain followed by the product page's path the storefront pixel
 * saw (a path only: pixel-batch's STOREFRONT_PATH), or the store's home page for a product the pixel has not shown
 * yet (one known only from an order), so a link in a message always leads somewhere on the store.
 */
export function productLink(shop: { domain: string; platform: string }, path: string | null | undefined): string | null {
  if (shop.platform !== "SHOPIFY") return null;
  return `https://${shop.domain}${path ?? "/"}`;
}

/**
 * {{product.url}} is refused when a Magento store's template is saved: its product events carry no page link, so
 * the value would always be empty. (Templates saved before still compile and render it empty, so their messages
 * keep going out with their codes.)
 */
export const PRODUCT_URL_REFUSED =
  "{{product.url}} is not available on a Magento store: its product events carry no link, so it would always be empty. Use {{product.title}}, and link to your store yourself";

export function productUrlProblems(field: TemplateField, source: string | null, platform: string): FieldProblem[] {
  if (!source || platform === "SHOPIFY") return [];
  return [...source.matchAll(/\{\{\s*product\.url\s*\}\}/g)].map((match) => {
    const before = source.slice(0, match.index);
    return { field, line: before.split("\n").length, column: match.index - before.lastIndexOf("\n"), message: PRODUCT_URL_REFUSED };
  });
}

/** Names are matched as pool names are unique: without regard to case. */
export function unknownPoolNames(needs: TemplateNeeds, poolNames: Iterable<string>): string[] {
  const known = new Set([...poolNames].map((n) => n.toLowerCase()));
  return [...new Set([...needs.initialPools, ...needs.reissuePools])].filter((name) => !known.has(name.toLowerCase()));
}
