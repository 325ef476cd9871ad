// Message templates with the placeholder syntaxes merchants bring from other tools. A template is compiled when it
// is saved: an unknown placeholder or a malformed one is an error then, with its line and column, never a blank in
// a sent message. Compiling also says what the template needs (which pools to issue from, whether it uses the
// run's code), so codes are generated before the message is rendered.
//
// Syntaxes (all equivalent ways to reach the same values):
//   {{promoCode}}  {$dynamic_discount_code}  $!data.get('promocode')      the code issued by this run
//   {{client.promocode('Pool name')}}                                      a code issued from that pool (initial)
//   {{client.last_promocode('Pool name')}}                                 the customer's last code from that pool
//   {{userName}} {{firstName}} {{lastName}} {{email}} {{shopName}} {{codeExpiresAt}}
//   {{#triggeredProducts}} {{product.title}} {{product.vendor}} {{product.url}} {{product.id}} {{/triggeredProducts}}
//                                                                          per product
// {{product.url}} is the product page on the shop's own domain (services/messages/compose.ts, productLink); a
// Magento store knows no product links, so saving its template refuses it there.

export type Escaping = "html" | "none";

/** Customer and shop values a template can show. */
export const VALUE_PLACEHOLDERS = ["userName", "firstName", "lastName", "email", "shopName", "codeExpiresAt"] as const;
export type ValuePlaceholder = (typeof VALUE_PLACEHOLDERS)[number];

/** Values available inside a triggered-products block. */
export const PRODUCT_FIELDS = ["title", "url", "id", "vendor"] as const;
export type ProductField = (typeof PRODUCT_FIELDS)[number];

export type TemplateNode =
  | { type: "text"; text: string }
  | { type: "run_code" }
  | { type: "value"; name: ValuePlaceholder }
  | { type: "pool_code"; pool: string; reissue: boolean }
  | { type: "product_field"; field: ProductField }
  | { type: "products_block"; children: TemplateNode[] };

export interface TemplateProblem {
  line: number;
  column: number;
  message: string;
}

export interface TemplateNeeds {
  /** Uses the code this run issued (from the campaign's or scenario's pool, static or dynamic). */
  runCode: boolean;
  /** Pools to issue a fresh code from, by name, for this message. */
  initialPools: string[];
  /** Pools whose last code for this customer the message shows. */
  reissuePools: string[];
  triggeredProducts: boolean;
}

export type CompileResult =
  | { type: "compiled"; nodes: TemplateNode[]; needs: TemplateNeeds }
  /** `needs` holds what the valid placeholders ask for, so other checks (pool names) can report in the same pass. */
  | { type: "invalid"; problems: TemplateProblem[]; needs: TemplateNeeds };

export interface TriggeredProduct {
  id: string;
  title?: string | null;
  url?: string | null;
  vendor?: string | null;
}

export interface RenderContext {
  runCode: string | null;
  codeExpiresAt: Date | null;
  customer: { firstName: string | null; lastName: string | null; email: string | null };
  shopName: string | null;
  /** Codes by pool name for {{client.promocode('...')}} (initial) and last_promocode (reissue); null when none. */
  poolCodes: ReadonlyMap<string, string | null>;
  lastPoolCodes: ReadonlyMap<string, string | null>;
  triggeredProducts: TriggeredProduct[];
  escaping: Escaping;
  /** Renders dates in the shop's locale; defaults to ISO dates. */
  formatDate?: (date: Date) => string;
}

// One pattern finds every placeholder of every syntax; what it captured decides the node.
const TOKEN =
  /\{\{\s*([^{}]*?)\s*\}\}|\{\$\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}|\$!?\{?data\.get\(\s*(['"])([^'"]*)\3\s*\)\}?/g;
const POOL_CALL = /^client\.(promocode|last_promocode)\(\s*(['"])(.*?)\2\s*\)$/;
const RUN_CODE_NAMES = new Set(["promoCode", "promocode", "promo_code"]);
const DYNAMIC_NAMES = new Set(["dynamic_discount_code", "promocode", "promo_code"]);

function position(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}

function isValueName(name: string): name is ValuePlaceholder {
  return (VALUE_PLACEHOLDERS as readonly string[]).includes(name);
}

function isProductField(name: string): name is ProductField {
  return (PRODUCT_FIELDS as readonly string[]).includes(name);
}

export function compileTemplate(source: string): CompileResult {
  const problems: TemplateProblem[] = [];
  const root: TemplateNode[] = [];
  const stack: { children: TemplateNode[]; openedAt: number }[] = [];
  const needs: TemplateNeeds = { runCode: false, initialPools: [], reissuePools: [], triggeredProducts: false };
  let current = root;
  let last = 0;

  const problem = (index: number, message: string) => problems.push({ ...position(source, index), message });
  const text = (upTo: number) => {
    if (upTo > last) current.push({ type: "text", text: source.slice(last, upTo) });
  };

  /** Where a whole placeholder of the $!data.get('...') syntax starts: any other start of one is half-written. */
  const velocityStarts = new Set<number>();
  for (const match of source.matchAll(TOKEN)) {
    const index = match.index;
    if (match[4] !== undefined) velocityStarts.add(index);
    text(index);
    last = index + match[0].length;
    const [, mustache, dollar, , velocityKey] = match;

    if (dollar !== undefined) {
      if (DYNAMIC_NAMES.has(dollar)) {
        current.push({ type: "run_code" });
        needs.runCode = true;
      } else problem(index, `Unknown placeholder {$${dollar}}: use {$dynamic_discount_code}`);
      continue;
    }
    if (velocityKey !== undefined) {
      if (RUN_CODE_NAMES.has(velocityKey)) {
        current.push({ type: "run_code" });
        needs.runCode = true;
      } else problem(index, `Unknown value data.get('${velocityKey}'): use data.get('promocode')`);
      continue;
    }
    const body = mustache ?? "";
    if (body === "#triggeredProducts") {
      const block: TemplateNode = { type: "products_block", children: [] };
      current.push(block);
      stack.push({ children: current, openedAt: index });
      current = block.children;
      needs.triggeredProducts = true;
      continue;
    }
    if (body === "/triggeredProducts") {
      const parent = stack.pop();
      if (!parent) problem(index, "{{/triggeredProducts}} closes a block that was never opened");
      else current = parent.children;
      continue;
    }
    if (body.startsWith("product.")) {
      const field = body.slice("product.".length);
      if (stack.length === 0) problem(index, `{{${body}}} is only available inside {{#triggeredProducts}}…{{/triggeredProducts}}`);
      else if (!isProductField(field)) problem(index, `Unknown product field {{${body}}}: use ${PRODUCT_FIELDS.map((f) => `product.${f}`).join(", ")}`);
      else current.push({ type: "product_field", field });
      continue;
    }
    const poolCall = POOL_CALL.exec(body);
    if (poolCall) {
      const pool = (poolCall[3] ?? "").trim();
      const reissue = poolCall[1] === "last_promocode";
      if (!pool) {
        problem(index, `{{${body}}} needs a pool name`);
        continue;
      }
      current.push({ type: "pool_code", pool, reissue });
      const list = reissue ? needs.reissuePools : needs.initialPools;
      if (!list.includes(pool)) list.push(pool);
      continue;
    }
    if (RUN_CODE_NAMES.has(body)) {
      current.push({ type: "run_code" });
      needs.runCode = true;
      continue;
    }
    if (isValueName(body)) {
      current.push({ type: "value", name: body });
      continue;
    }
    problem(index, body ? `Unknown placeholder {{${body}}}` : "Empty placeholder {{}}");
  }
  text(source.length);
  for (const open of stack) problem(open.openedAt, "{{#triggeredProducts}} is never closed with {{/triggeredProducts}}");
  // Half-written placeholders ("{{promoCode" or "{$dynamic") would otherwise go out as literal text.
  for (const stray of source.matchAll(/\{\{(?![^{}]*\}\})|\{\$(?![^{}]*\})/g)) {
    problem(stray.index, "A placeholder is opened here but never closed");
  }
  for (const stray of source.matchAll(/\$!?\{?data\.get\(/g)) {
    if (!velocityStarts.has(stray.index)) problem(stray.index, "This data.get( placeholder is not complete: write $!data.get('promocode')");
  }

  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { type: "invalid", problems, needs };
  }
  return { type: "compiled", nodes: root, needs };
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

function valueOf(name: ValuePlaceholder, context: RenderContext): string {
  const { customer } = context;
  switch (name) {
    case "userName":
      return [customer.firstName, customer.lastName].filter(Boolean).join(" ") || (customer.email ?? "");
    case "firstName":
      return customer.firstName ?? "";
    case "lastName":
      return customer.lastName ?? "";
    case "email":
      return customer.email ?? "";
    case "shopName":
      return context.shopName ?? "";
    case "codeExpiresAt":
      return context.codeExpiresAt ? (context.formatDate ?? ((d) => d.toISOString().slice(0, 10)))(context.codeExpiresAt) : "";
  }
}

function renderNodes(nodes: TemplateNode[], context: RenderContext, product: TriggeredProduct | null): string {
  const escape = context.escaping === "html" ? escapeHtml : (v: string) => v;
  let out = "";
  for (const node of nodes) {
    switch (node.type) {
      case "text":
        out += node.text;
        break;
      case "run_code":
        out += escape(context.runCode ?? "");
        break;
      case "value":
        out += escape(valueOf(node.name, context));
        break;
      case "pool_code":
        out += escape((node.reissue ? context.lastPoolCodes : context.poolCodes).get(node.pool) ?? "");
        break;
      case "product_field":
        out += escape(product ? String(product[node.field] ?? "") : "");
        break;
      case "products_block":
        for (const p of context.triggeredProducts) out += renderNodes(node.children, context, p);
        break;
    }
  }
  return out;
}

/** Renders a compiled template. Missing values render empty: whether that may happen is decided before rendering. */
export function renderTemplate(nodes: TemplateNode[], context: RenderContext): string {
  return renderNodes(nodes, context, null);
}

/**
 * Whether a pool name can be written in {{client.promocode('…')}}: braces end the placeholder, and the name is
 * quoted with ' or ", so it cannot hold both.
 */
export function poolNameFitsPlaceholder(name: string): boolean {
  return name.trim() === name && !/[{}]/.test(name) && !(name.includes("'") && name.includes('"'));
}

/**
 * Rewrites every {{client.promocode('from')}} and {{client.last_promocode('from')}} (the name matched as pools
 * are, without regard to case) to name `to` instead, keeping the rest of the source as it was. `to` must fit a
 * placeholder (poolNameFitsPlaceholder).
 */
export function renamePoolInSource(source: string, from: string, to: string): { source: string; count: number } {
  const wanted = from.trim().toLowerCase();
  let count = 0;
  const rewritten = source.replace(TOKEN, (token: string, mustache: string | undefined) => {
    const call = mustache === undefined ? null : POOL_CALL.exec(mustache);
    if (!call || (call[3] ?? "").trim().toLowerCase() !== wanted) return token;
    count++;
    const quote = to.includes(call[2]!) ? (call[2] === "'" ? '"' : "'") : call[2]!;
    return token.replace(/(['"])(.*?)\1/, () => `${quote}${to}${quote}`);
  });
  return { source: rewritten, count };
}

/** Pool names a template refers to that the shop does not have (an error when the template is saved). */
export function unknownPools(needs: TemplateNeeds, poolNames: Iterable<string>): string[] {
  const known = new Set(poolNames);
  return [...new Set([...needs.initialPools, ...needs.reissuePools])].filter((name) => !known.has(name));
}
