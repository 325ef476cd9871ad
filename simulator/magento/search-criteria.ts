/**
 * `searchCriteria` as Magento's search endpoints read it: the bracketed query string
 * (`searchCriteria[filter_groups][0][filters][0][field]=code`) is parsed the way PHP parses it, deserialised
 * against SearchCriteriaInterface (so unknown keys and bad types are refused like any body), then applied to a
 * table the way Magento's collections do:
 *
 * - filters inside a group are OR'ed, groups are AND'ed; condition_type defaults to `eq`;
 * - string comparisons ignore case (MySQL's default collation), `in`/`nin` take comma-separated values;
 * - page_size defaults to 20 when absent; current_page defaults to 1;
 * - a current_page past the last page answers the LAST page again (Magento clamps the page number), so a client
 *   that pages until it sees an empty page never stops: clients must stop on total_count.
 */
import { convertValue, SEARCH_CRITERIA } from "./contract";
import { strict } from "./errors";

export interface Filter {
  field: string;
  value: string | null;
  condition_type?: string;
}

export interface SearchCriteria {
  filter_groups?: { filters?: Filter[] }[];
  sort_orders?: { field: string; direction?: string }[];
  page_size?: number;
  current_page?: number;
}

export const DEFAULT_PAGE_SIZE = 20;

/** PHP-style parsing of `a[b][0]=v` and `a[]=v` query parameters into nested objects. */
export function parseBracketQuery(params: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [rawKey, value] of params) {
    const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(rawKey);
    if (!match) {
      root[rawKey] = value;
      continue;
    }
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!)];
    let node: Record<string, unknown> = root;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      const key = segment === "" ? String(Object.keys(node).length) : segment;
      if (last) {
        node[key] = value;
      } else {
        const next = node[key];
        if (typeof next !== "object" || next === null) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    });
  }
  return root;
}

/** Deserialises the `searchCriteria` parameter; an empty value (`searchCriteria=`) means "no criteria". */
export function readSearchCriteria(value: unknown): SearchCriteria {
  if (value === "" || value === undefined) return {};
  return convertValue(value, { kind: "object", spec: SEARCH_CRITERIA }, "searchCriteria") as SearchCriteria;
}

export type ColumnValue = string | number | boolean | null | undefined;
export type Columns<T> = Readonly<Record<string, (row: T) => ColumnValue>>;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?Z?)?$/;

function normalise(value: string): string {
  const trimmed = value.trim();
  if (DATE_TIME.test(trimmed)) return trimmed.replace("T", " ").replace(/\.\d+/, "").replace(/Z$/, "");
  return trimmed.toLowerCase();
}

function compare(column: ColumnValue, value: string): number {
  if (column === null || column === undefined) return Number.NaN;
  if (typeof column === "number" || typeof column === "boolean") {
    const left = Number(column);
    const right = Number(value);
    if (Number.isNaN(right)) return normalise(String(left)).localeCompare(normalise(value));
    return left === right ? 0 : left < right ? -1 : 1;
  }
  const left = normalise(column);
  const right = normalise(value);
  return left === right ? 0 : left < right ? -1 : 1;
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
  return new RegExp(`^${escaped}$`, "is");
}

function matchesFilter(column: ColumnValue, filter: Filter): boolean {
  const condition = (filter.condition_type ?? "eq").toLowerCase();
  const value = filter.value ?? "";
  const list = () => value.split(",").map((v) => v.trim());
  switch (condition) {
    case "eq":
      return compare(column, value) === 0;
    case "neq":
      return column === null || column === undefined ? false : compare(column, value) !== 0;
    case "gt":
      return compare(column, value) > 0;
    case "gteq":
    case "from":
      return compare(column, value) >= 0;
    case "lt":
      return compare(column, value) < 0;
    case "lteq":
    case "to":
      return compare(column, value) <= 0;
    case "like":
      return column !== null && column !== undefined && likeToRegExp(value).test(String(column));
    case "nlike":
      return column !== null && column !== undefined && !likeToRegExp(value).test(String(column));
    case "in":
      return list().some((v) => compare(column, v) === 0);
    case "nin":
      return column !== null && column !== undefined && list().every((v) => compare(column, v) !== 0);
    case "null":
      return column === null || column === undefined;
    case "notnull":
      return column !== null && column !== undefined;
    case "finset":
      return typeof column === "string" && column.split(",").includes(value);
    default:
      throw strict(`condition_type "${filter.condition_type}" is not modelled`);
  }
}

export interface SearchPage<T> {
  items: T[];
  totalCount: number;
  /** The criteria as Magento echoes them in `search_criteria`. */
  echo: Record<string, unknown>;
}

/** Filters, sorts and pages `rows`; `columns` names the table's filterable and sortable columns. */
export function search<T>(rows: readonly T[], criteria: SearchCriteria, columns: Columns<T>, primaryKey: string): SearchPage<T> {
  const column = (field: string) => {
    const read = columns[field];
    if (!read) throw strict(`this table has no column "${field}" to filter or sort on (Magento would fail with an SQL error)`);
    return read;
  };
  const groups = (criteria.filter_groups ?? []).map((g) => (g.filters ?? []).map((f) => ({ filter: f, read: column(f.field) })));
  const filtered = rows.filter((row) => groups.every((group) => group.length === 0 || group.some(({ filter, read }) => matchesFilter(read(row), filter))));

  const orders = [...(criteria.sort_orders ?? []), { field: primaryKey, direction: "ASC" }].map((o) => ({
    read: column(o.field),
    descending: (o.direction ?? "ASC").toUpperCase() === "DESC",
  }));
  const sorted = [...filtered].sort((a, b) => {
    for (const { read, descending } of orders) {
      const left = read(a);
      const right = read(b);
      if (left === right) continue;
      if (left === null || left === undefined) return descending ? 1 : -1;
      if (right === null || right === undefined) return descending ? -1 : 1;
      const c = compare(left, String(right));
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  });

  const pageSize = criteria.page_size && criteria.page_size > 0 ? criteria.page_size : DEFAULT_PAGE_SIZE;
  const lastPage = Math.max(1, Math.ceil(sorted.length / pageSize));
  const page = Math.min(Math.max(criteria.current_page ?? 1, 1), lastPage);
  const items = sorted.slice((page - 1) * pageSize, page * pageSize);

  const echo: Record<string, unknown> = {
    filter_groups: (criteria.filter_groups ?? []).map((g) => ({ filters: (g.filters ?? []).map((f) => ({ ...f, condition_type: f.condition_type ?? "eq" })) })),
    page_size: pageSize,
  };
  if (criteria.sort_orders?.length) echo.sort_orders = criteria.sort_orders;
  if (criteria.current_page !== undefined) echo.current_page = criteria.current_page;
  return { items, totalCount: sorted.length, echo };
}
