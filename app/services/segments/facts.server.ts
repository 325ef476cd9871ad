// Compiles the conditions of the segments being evaluated into two statements that read, for a batch of customers,
// every fact those conditions need: one statement of each kind per batch, however many customers and conditions it
// holds. Neither reads a customer outside the batch or a row of another shop.
//
// - The customer statement: the customer row (tags, consent, created), and per condition aggregates over orders,
//   codes issued and codes redeemed, with the newest times in each window.
// - The activity statement: the batch's storefront events any product-activity condition can count (time, topic,
//   product, collection): a plain index scan. Which conditions each event matches is decided in
//   domain/segments/activity.ts with the attributes of the products involved (read once per batch), and counted
//   there in one pass per condition.
//
// Times cross the boundary as epoch milliseconds (float8) in both directions, so neither the driver's nor the
// session's time zone can shift them; columns are timestamp without time zone holding UTC.
import { activityTopics } from "../../domain/segments/dependencies";
import {
  countActivity,
  filterKey,
  FILTERS_PER_WORD,
  needsProductAttributes,
  type ActivityEvent,
  type ActivityFilter,
  type ActivitySpec,
} from "../../domain/segments/activity";
import { MAX_SUM_ITEMS, countsTowardProducts, timesNeeded, type ConditionFact } from "../../domain/segments/evaluate";
import { conditionKey, windowMs, type Condition } from "../../domain/segments/rules";

const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;
/** $3 is "now" in epoch ms; a window's start is now minus its length. */
const since = (windowLength: number) => `(to_timestamp(($3::float8 - ${windowLength}) / 1000) AT TIME ZONE 'UTC')`;

export type FactRow = Record<string, unknown> & { customer_id: string };

/** One row: the batch's events as text (see the activity statement). */
export interface ActivityRow {
  events: string | null;
}

export interface Statement {
  /** Parameters: $1 shop id, $2 customer ids (text[]), $3 now (epoch ms), then `params`. */
  sql: string;
  params: unknown[];
}

export interface CompiledFacts {
  /** The distinct conditions, by conditionKey; facts come back in this order. */
  keys: string[];
  customers: Statement;
  /** Null when no condition counts storefront activity. */
  activity: Statement | null;
  /** The product filters of the activity conditions, in mask bit order. */
  filters: ActivityFilter[];
  /** Whether a filter needs the products' vendor, type or collections. */
  needsProducts: boolean;
  /** A decoder for one batch evaluated at `now` (epoch ms): one customer's facts, in `keys` order. */
  prepare(now: number): (row: FactRow, events: ActivityEvent[]) => ConditionFact[];
}

/** Built once per batch: what depends on "now" (window starts) is computed here, not per customer. */
type Decoder = (now: number) => (row: FactRow, events: ActivityEvent[]) => ConditionFact;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : []);
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** One object per row, shared by every customer condition of that row. */
const customerFacts = new WeakMap<FactRow, ConditionFact>();
function customerFact(row: FactRow): ConditionFact {
  let fact = customerFacts.get(row);
  if (!fact) {
    fact = {
      type: "customer",
      tags: texts(row.c_tags),
      acceptsMarketing: row.c_marketing === true,
      createdAt: num(row.c_created),
    };
    customerFacts.set(row, fact);
  }
  return fact;
}

class Builder {
  readonly params: unknown[] = [];
  param(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.params.length + 3}::${cast}`;
  }
}

export function compileFacts(conditions: Condition[]): CompiledFacts {
  const b = new Builder();
  const unique = new Map<string, Condition>();
  for (const c of conditions) unique.set(conditionKey(c), c);

  const filters: ActivityFilter[] = [];
  const windows: (number | null)[] = [];
  const orderCounts: { i: number; window: number | null; filter: string; k: number }[] = [];
  const orderSums: { i: number; window: number }[] = [];
  const issued: { i: number; filter: string; window: number | null; k: number }[] = [];
  const redeemed: { i: number; filter: string; window: number | null; k: number }[] = [];
  const select: string[] = [];
  const decoders = new Map<string, Decoder>();
  let needsOrders = false;

  let counter = 0;
  for (const [key, c] of unique) {
    // One binding per condition: the decoders below close over it.
    const i = ++counter;
    switch (c.kind) {
      case "product_activity": {
        const window = windowMs(c.window);
        const filter: ActivityFilter = { topics: activityTopics(c), target: c.target };
        const fk = filterKey(filter);
        let index = filters.findIndex((f) => filterKey(f) === fk);
        if (index === -1) index = filters.push(filter) - 1;
        windows.push(window);
        const spec: Omit<ActivitySpec, "after"> = {
          word: Math.floor(index / FILTERS_PER_WORD),
          bit: 1 << (index % FILTERS_PER_WORD),
          groupByRecord: c.groupByRecord,
          keepTimes: window === null ? 0 : timesNeeded(c),
          withProducts: countsTowardProducts(c.op, c.value),
        };
        decoders.set(key, (now) => {
          const prepared: ActivitySpec = { ...spec, after: window === null ? -Infinity : now - window };
          return (_row, events) => {
            const counted = countActivity(events, prepared);
            return { type: "count", count: counted.count, times: counted.times, products: counted.products };
          };
        });
        break;
      }
      case "order_count":
      case "placed_order": {
        const window = windowMs(c.window);
        const filtered = c.kind === "placed_order" && (c.sources.length > 0 || c.deliveryTypes.length > 0);
        if (window === null && !filtered) {
          // Ever, unfiltered: the platform's counter on the customer row also counts orders from before the install.
          needsOrders = true;
          select.push(`greatest(c.orders_count, coalesce(ord.n, 0)) AS o${i}_n`);
          decoders.set(key, () => (row) => ({ type: "count", count: num(row[`o${i}_n`]), times: [], products: [] }));
          break;
        }
        const parts = ["true"];
        if (window !== null) parts.push(`o.placed_at > ${since(window)}`);
        if (c.kind === "placed_order" && c.sources.length) {
          parts.push(
            `lower(o.source_name) = ANY(${b.param(
              c.sources.map((s) => s.toLowerCase()),
              "text[]",
            )})`,
          );
        }
        if (c.kind === "placed_order" && c.deliveryTypes.length) {
          parts.push(
            `lower(o.delivery_type) = ANY(${b.param(
              c.deliveryTypes.map((s) => s.toLowerCase()),
              "text[]",
            )})`,
          );
        }
        needsOrders = true;
        orderCounts.push({ i, window, filter: parts.join(" AND "), k: timesNeeded(c) });
        select.push(`coalesce(ord.o${i}_n, 0) AS o${i}_n`);
        if (window !== null) select.push(`ord.o${i}_t`);
        decoders.set(key, () => (row) => ({
          type: "count",
          count: num(row[`o${i}_n`]),
          times: nums(row[`o${i}_t`]),
          products: [],
        }));
        break;
      }
      case "total_spent": {
        const window = windowMs(c.window);
        needsOrders = true;
        if (window === null) {
          select.push(`greatest(c.total_spent * 100, coalesce(ord.cents, 0))::float8 AS s${i}_c`);
          decoders.set(key, () => (row) => ({ type: "sum", cents: Math.round(num(row[`s${i}_c`])), items: [] }));
        } else {
          orderSums.push({ i, window });
          select.push(`coalesce(ord.s${i}_c, 0)::float8 AS s${i}_c`, `ord.s${i}_at`, `ord.s${i}_ac`);
          decoders.set(key, () => (row) => {
            const at = nums(row[`s${i}_at`]);
            const cents = nums(row[`s${i}_ac`]);
            return {
              type: "sum",
              cents: Math.round(num(row[`s${i}_c`])),
              items: at.map((t, n) => ({ at: t, cents: Math.round(cents[n] ?? 0) })),
            };
          });
        }
        break;
      }
      case "days_since_last_order":
        needsOrders = true;
        select.push(`${ms("greatest(c.last_order_at, ord.last)")} AS l${i}`);
        decoders.set(key, () => (row) => ({
          type: "last_order",
          at: row[`l${i}`] === null ? null : num(row[`l${i}`]),
        }));
        break;
      case "customer_tags":
      case "marketing_consent":
      case "customer_created":
        decoders.set(key, () => customerFact);
        break;
      case "codes_issued":
      case "issued_from_pool": {
        const window = windowMs(c.window);
        const parts = ["true"];
        if (c.poolId !== null) parts.push(`i.pool_id = ${b.param(c.poolId, "uuid")}`);
        if (window !== null) parts.push(`i.created_at > ${since(window)}`);
        issued.push({ i, filter: parts.join(" AND "), window, k: timesNeeded(c) });
        select.push(`coalesce(iss.i${i}_n, 0) AS i${i}_n`);
        if (window !== null) select.push(`iss.i${i}_t`);
        decoders.set(key, () => (row) => ({
          type: "count",
          count: num(row[`i${i}_n`]),
          times: nums(row[`i${i}_t`]),
          products: [],
        }));
        break;
      }
      case "redeemed_from_pool": {
        const window = windowMs(c.window);
        const parts = [`k.pool_id = ${b.param(c.poolId, "uuid")}`];
        if (window !== null) parts.push(`k.redeemed_at > ${since(window)}`);
        redeemed.push({ i, filter: parts.join(" AND "), window, k: timesNeeded(c) });
        select.push(`coalesce(red.r${i}_n, 0) AS r${i}_n`);
        if (window !== null) select.push(`red.r${i}_t`);
        decoders.set(key, () => (row) => ({
          type: "count",
          count: num(row[`r${i}_n`]),
          times: nums(row[`r${i}_t`]),
          products: [],
        }));
        break;
      }
    }
  }

  const ctes: string[] = [
    `c AS (
      SELECT id, tags, accepts_marketing, orders_count, total_spent, last_order_at, coalesce(platform_created_at, created_at) AS created
      FROM customers WHERE shop_id = $1::uuid AND id = ANY($2::text[]::uuid[])
    )`,
  ];
  const joins: string[] = [];

  if (needsOrders) {
    const cols = ["count(*) AS n", "sum(round(o.total_price * 100)) AS cents", "max(o.placed_at) AS last"];
    for (const oc of orderCounts) {
      cols.push(`count(*) FILTER (WHERE ${oc.filter}) AS o${oc.i}_n`);
      if (oc.window !== null)
        cols.push(
          `(array_agg(${ms("o.placed_at")} ORDER BY o.placed_at DESC) FILTER (WHERE ${oc.filter}))[1:${oc.k}] AS o${oc.i}_t`,
        );
    }
    for (const os of orderSums) {
      const filter = `o.placed_at > ${since(os.window)}`;
      cols.push(
        `sum(round(o.total_price * 100)) FILTER (WHERE ${filter}) AS s${os.i}_c`,
        `(array_agg(${ms("o.placed_at")} ORDER BY o.placed_at, o.id) FILTER (WHERE ${filter}))[1:${MAX_SUM_ITEMS}] AS s${os.i}_at`,
        `(array_agg(round(o.total_price * 100)::float8 ORDER BY o.placed_at, o.id) FILTER (WHERE ${filter}))[1:${MAX_SUM_ITEMS}] AS s${os.i}_ac`,
      );
    }
    ctes.push(`ord AS (
      SELECT o.customer_id, ${cols.join(", ")}
      FROM orders o
      WHERE o.shop_id = $1::uuid AND o.customer_id = ANY($2::text[]::uuid[]) AND o.cancelled_at IS NULL
      GROUP BY o.customer_id
    )`);
    joins.push("LEFT JOIN ord ON ord.customer_id = c.id");
  }

  if (issued.length) {
    const cols = issued.flatMap((x) => {
      const out = [`count(*) FILTER (WHERE ${x.filter}) AS i${x.i}_n`];
      if (x.window !== null)
        out.push(
          `(array_agg(${ms("i.created_at")} ORDER BY i.created_at DESC) FILTER (WHERE ${x.filter}))[1:${x.k}] AS i${x.i}_t`,
        );
      return out;
    });
    ctes.push(`iss AS (
      SELECT i.customer_id, ${cols.join(", ")}
      FROM issuances i
      WHERE i.shop_id = $1::uuid AND i.customer_id = ANY($2::text[]::uuid[]) AND i.kind = 'INITIAL'
      GROUP BY i.customer_id
    )`);
    joins.push("LEFT JOIN iss ON iss.customer_id = c.id");
  }

  if (redeemed.length) {
    const cols = redeemed.flatMap((x) => {
      const out = [`count(*) FILTER (WHERE ${x.filter}) AS r${x.i}_n`];
      if (x.window !== null)
        out.push(
          `(array_agg(${ms("k.redeemed_at")} ORDER BY k.redeemed_at DESC) FILTER (WHERE ${x.filter}))[1:${x.k}] AS r${x.i}_t`,
        );
      return out;
    });
    // The codes a customer was given, found through their issuances (codes have no customer index: decision
    // 0015); redemption marks them REDEEMED with the time.
    ctes.push(`red AS (
      SELECT i.customer_id, ${cols.join(", ")}
      FROM issuances i JOIN codes k ON k.id = i.code_id AND k.shop_id = i.shop_id AND k.customer_id = i.customer_id
      WHERE i.shop_id = $1::uuid AND i.customer_id = ANY($2::text[]::uuid[]) AND i.kind = 'INITIAL' AND k.status = 'REDEEMED'
      GROUP BY i.customer_id
    )`);
    joins.push("LEFT JOIN red ON red.customer_id = c.id");
  }

  const customers: Statement = {
    sql: `WITH ${ctes.join(",\n")}
    SELECT c.id::text AS customer_id, c.tags AS c_tags, c.accepts_marketing AS c_marketing, ${ms("c.created")} AS c_created
      ${select.length ? `, ${select.join(", ")}` : ""}
    FROM c ${joins.join(" ")}
    WHERE $3::float8 IS NOT NULL -- every statement names $3 (now), used by windows or not: unused parameters are refused`,
    params: b.params,
  };

  let activity: Statement | null = null;
  if (filters.length) {
    const topics = [...new Set(filters.flatMap((f) => f.topics))];
    // Only events some condition can count: none older than the longest window (unless one counts all time).
    const oldest = windows.some((w) => w === null)
      ? ""
      : `AND e.occurred_at > ${since(Math.max(...(windows as number[])))}`;
    activity = {
      // One text for the whole batch, fields split by \x1f and events by \x1e: far cheaper to read than arrays of
      // uuids. The customer is its position in $2.
      sql: `SELECT string_agg(concat_ws(E'\\x1f', b.n, (extract(epoch FROM e.occurred_at) * 1000)::bigint, e.topic,
                                         coalesce(e.product_id, ''), coalesce(e.collection_id, '')), E'\\x1e') AS events
        FROM events e
        JOIN unnest($2::text[]::uuid[]) WITH ORDINALITY AS b(id, n) ON b.id = e.customer_id
        WHERE e.shop_id = $1::uuid AND e.customer_id = ANY($2::text[]::uuid[])
          AND e.topic = ANY(ARRAY[${topics.map((t) => `'${t}'`).join(", ")}]) ${oldest} AND $3::float8 IS NOT NULL`,
      params: [],
    };
  }

  return {
    keys: [...decoders.keys()],
    customers,
    activity,
    filters,
    needsProducts: filters.some(needsProductAttributes),
    prepare(now) {
      const decoding = [...decoders.values()].map((decoder) => decoder(now));
      return (row, events) => decoding.map((decode) => decode(row, events));
    },
  };
}
