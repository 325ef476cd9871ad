/**
 * A subset of Shopify's search syntax for the `query:` argument of list
 * queries: `field:value`, `field:'quoted value'`, comparisons
 * (`created_at:>=2026-01-01`, `orders_count:>2`), prefix wildcards (`tag:vip*`),
 * negation (`-tag:vip`, `NOT tag:vip`), implicit AND, explicit `AND`/`OR`, and
 * bare words matched against each resource's default text fields.
 *
 * A field the simulator does not know is an error naming the field, not a
 * silently ignored filter: the app must not believe a filter works because
 * the simulator ignored it.
 */
import { GraphQLError } from "graphql";
import { NOT_MODELLED_CODE } from "./context";
import { compareNumericStrings } from "./connection";

export type SearchValue = string | number | boolean | null | undefined | readonly string[];

export interface SearchField<T> {
  readonly kind: "text" | "keyword" | "number" | "date" | "id" | "boolean";
  readonly get: (record: T) => SearchValue;
}

export interface SearchSpec<T> {
  readonly resource: string;
  readonly fields: Readonly<Record<string, SearchField<T>>>;
  /** Fields a bare word is matched against. */
  readonly defaultFields: readonly string[];
}

type Comparator = ":" | ">" | "<" | ">=" | "<=";

interface Term {
  readonly field: string | undefined;
  readonly comparator: Comparator;
  readonly value: string;
  readonly negate: boolean;
}

/** Disjunction of conjunctions. */
type Query = Term[][];

function tokenize(input: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] ?? "";
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")") {
      throw new GraphQLError("simulator does not model parentheses in search queries", {
        extensions: { code: NOT_MODELLED_CODE },
      });
    }
    let token = "";
    while (i < input.length && !/\s/.test(input[i] ?? "")) {
      const c = input[i] ?? "";
      if (c === "'" || c === '"') {
        const close = input.indexOf(c, i + 1);
        const end = close < 0 ? input.length : close;
        token += `\u0000${input.slice(i + 1, end)}`; // marks a quoted (verbatim) value
        i = end + 1;
      } else {
        token += c;
        i++;
      }
    }
    tokens.push(token);
  }
  return tokens;
}

function parseTerm(token: string, negate: boolean): Term {
  let text = token;
  let neg = negate;
  if (text.startsWith("-") && text.length > 1) {
    neg = !neg;
    text = text.slice(1);
  }
  const colon = text.indexOf(":");
  const quoted = text.indexOf("\u0000");
  if (colon > 0 && (quoted < 0 || colon < quoted)) {
    const field = text.slice(0, colon).toLowerCase();
    let rest = text.slice(colon + 1);
    let comparator: Comparator = ":";
    for (const op of [">=", "<=", ">", "<"] as const) {
      if (rest.startsWith(op)) {
        comparator = op;
        rest = rest.slice(op.length);
        break;
      }
    }
    return { field, comparator, value: rest.replaceAll("\u0000", ""), negate: neg };
  }
  return { field: undefined, comparator: ":", value: text.replaceAll("\u0000", ""), negate: neg };
}

export function parseSearchQuery(input: string): Query {
  const groups: Term[][] = [[]];
  let negateNext = false;
  for (const token of tokenize(input)) {
    if (token === "OR") {
      groups.push([]);
      continue;
    }
    if (token === "AND") continue;
    if (token === "NOT") {
      negateNext = true;
      continue;
    }
    groups[groups.length - 1]?.push(parseTerm(token, negateNext));
    negateNext = false;
  }
  return groups.filter((g) => g.length > 0);
}

function textMatches(actual: string, expected: string, exact: boolean): boolean {
  const a = actual.toLowerCase();
  const e = expected.toLowerCase();
  if (e.endsWith("*")) return a.startsWith(e.slice(0, -1));
  return exact ? a === e : a.includes(e);
}

function compareValues(actual: SearchValue, term: Term, kind: SearchField<unknown>["kind"]): boolean {
  if (actual === null || actual === undefined) return term.value === "" || term.value.toLowerCase() === "null";
  if (Array.isArray(actual)) return actual.some((item) => compareValues(item, term, kind));
  const value = term.value;
  let order: number | undefined;
  switch (kind) {
    case "number": {
      const a = Number(actual);
      const e = Number(value);
      if (Number.isNaN(e)) return false;
      order = a < e ? -1 : a > e ? 1 : 0;
      break;
    }
    case "date": {
      const a = Date.parse(String(actual));
      const e = Date.parse(value);
      if (Number.isNaN(e)) return false;
      // `created_at:2026-01-05` matches the whole day.
      if (term.comparator === ":" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return a >= e && a < e + 86_400_000;
      order = a < e ? -1 : a > e ? 1 : 0;
      break;
    }
    case "id": {
      const e = value.replace(/^gid:\/\/shopify\/\w+\//, "");
      if (!/^\d+$/.test(e)) return false;
      order = compareNumericStrings(String(actual), e);
      break;
    }
    case "boolean":
      return String(actual) === value.toLowerCase();
    case "text":
    case "keyword":
      if (term.comparator !== ":") return false;
      return textMatches(String(actual), value, kind === "keyword");
  }
  switch (term.comparator) {
    case ":":
      return order === 0;
    case ">":
      return order > 0;
    case "<":
      return order < 0;
    case ">=":
      return order >= 0;
    case "<=":
      return order <= 0;
  }
}

function termMatches<T>(spec: SearchSpec<T>, record: T, term: Term): boolean {
  let matched: boolean;
  if (term.field === undefined) {
    matched = spec.defaultFields.some((name) => {
      const field = spec.fields[name];
      return field ? compareValues(field.get(record), { ...term, negate: false }, "text") : false;
    });
  } else {
    const field = spec.fields[term.field];
    if (!field) {
      throw new GraphQLError(
        `simulator does not model search field "${term.field}" for ${spec.resource} (modelled: ${Object.keys(spec.fields).join(", ")})`,
        { extensions: { code: NOT_MODELLED_CODE } },
      );
    }
    matched = term.value === "*" ? field.get(record) != null : compareValues(field.get(record), term, field.kind);
  }
  return term.negate ? !matched : matched;
}

/** Filters records with a Shopify search query; a null/blank query keeps everything. */
export function applySearch<T>(spec: SearchSpec<T>, records: readonly T[], query: string | null | undefined): T[] {
  if (query === null || query === undefined || query.trim() === "") return [...records];
  const parsed = parseSearchQuery(query);
  if (parsed.length === 0) return [...records];
  return records.filter((record) => parsed.some((group) => group.every((term) => termMatches(spec, record, term))));
}
