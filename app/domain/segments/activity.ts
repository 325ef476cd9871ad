// Counting storefront activity for one customer: the database hands over the batch's events that any condition can
// count (time, topic, product, collection); each event is marked with the product filters (topic and target) it
// matches, as bits, using the attributes of its product; each product-activity condition is then one pass over the
// customer's events, newest first. Counting here rather than with ordered aggregates in SQL keeps the statement a
// plain index scan: twenty conditions cost a pass each over a few events, not twenty sorts per customer.
// Written with loops and few allocations: it runs for every event of every evaluated customer.
import { MAX_TRIGGERED_PRODUCTS } from "./evaluate";

export const FILTERS_PER_WORD = 30;
const COLLECTION_PREFIX = "collection:";

export interface ActivityEvent {
  /** Epoch ms. */
  at: number;
  /** The record views are grouped by: the product id, or "collection:<id>" for a collection page view. */
  record: string;
  /** Filters 0-29 this event matches, as bits (filter i is bit 1 << i). */
  mask: number;
  /** Filters from 30 on, 30 a word, when there are that many. */
  more: number[] | null;
}

export interface ActivityCount {
  count: number;
  /** Epoch ms of the newest counted items (events, or records by their latest event), newest first. */
  times: number[];
  products: string[];
}

export interface ActivitySpec {
  /** The filter's position: word floor(i / 30), bit 1 << (i % 30). */
  word: number;
  bit: number;
  /** Only events after this instant count (now minus the window); -Infinity for all time. */
  after: number;
  groupByRecord: boolean;
  /** How many of the newest times to keep. */
  keepTimes: number;
  withProducts: boolean;
}

/** Newest first, records in a stable order within the same millisecond: the order every count is taken in. */
export function sortActivity(events: ActivityEvent[]): ActivityEvent[] {
  return events.sort((a, b) => b.at - a.at || (a.record < b.record ? -1 : a.record > b.record ? 1 : 0));
}

const seen = new Set<string>();

/** `events` must be sorted by sortActivity. */
export function countActivity(events: ActivityEvent[], spec: ActivitySpec): ActivityCount {
  const out: ActivityCount = { count: 0, times: [], products: [] };
  const tracking = spec.groupByRecord || spec.withProducts;
  if (tracking) seen.clear();
  for (const event of events) {
    const bits = spec.word === 0 ? event.mask : (event.more?.[spec.word - 1] ?? 0);
    if ((bits & spec.bit) === 0 || event.at <= spec.after) continue;
    let first = true;
    if (tracking) {
      first = !seen.has(event.record);
      if (first) seen.add(event.record);
    }
    if (spec.groupByRecord && !first) continue;
    out.count++;
    if (out.times.length < spec.keepTimes) out.times.push(event.at);
    if (
      spec.withProducts &&
      first &&
      out.products.length < MAX_TRIGGERED_PRODUCTS &&
      !event.record.startsWith(COLLECTION_PREFIX)
    ) {
      out.products.push(event.record);
    }
  }
  return out;
}

/** A stored storefront event as read for counting. */
export interface RawActivity {
  customerId: string;
  at: number;
  topic: string;
  productId: string | null;
  collectionId: string | null;
}

export interface ProductAttributes {
  vendor: string | null;
  productType: string | null;
  collectionIds: string[];
}

/** Which events a product-activity condition looks at: topics and a target, compared without regard to case. */
export interface ActivityFilter {
  topics: string[];
  target:
    | { type: "any" }
    | { type: "products"; ids: string[] }
    | { type: "collections"; ids: string[] }
    | { type: "vendors"; values: string[] }
    | { type: "product_types"; values: string[] };
}

export function filterKey(filter: ActivityFilter): string {
  return JSON.stringify([filter.topics, filter.target]);
}

export function needsProductAttributes(filter: ActivityFilter): boolean {
  return (
    filter.target.type === "collections" || filter.target.type === "vendors" || filter.target.type === "product_types"
  );
}

/**
 * Decides which filters an event matches from three small lookups, each computed once per batch and value: the
 * filters its topic can match, the filters its product matches (by id or by the product's vendor, type and
 * collections), and the filters its collection page matches. An event matches filter i when its topic allows i and
 * its product or collection does.
 */
class Marker {
  private readonly words: number;
  private readonly byTopic = new Map<string, number[]>();
  private readonly byProduct = new Map<string, number[]>();
  private readonly byCollection = new Map<string, number[]>();
  private readonly none: number[];

  constructor(
    private readonly filters: ActivityFilter[],
    private readonly products: Map<string, ProductAttributes>,
  ) {
    this.words = Math.max(1, Math.ceil(filters.length / FILTERS_PER_WORD));
    this.none = new Array<number>(this.words).fill(0);
  }

  private bits(test: (filter: ActivityFilter) => boolean): number[] {
    const words = new Array<number>(this.words).fill(0);
    this.filters.forEach((filter, i) => {
      if (test(filter)) words[Math.floor(i / FILTERS_PER_WORD)]! |= 1 << (i % FILTERS_PER_WORD);
    });
    return words;
  }

  topic(topic: string): number[] {
    let words = this.byTopic.get(topic);
    if (!words) this.byTopic.set(topic, (words = this.bits((f) => f.topics.includes(topic))));
    return words;
  }

  product(productId: string | null): number[] {
    if (productId === null) return this.none;
    let words = this.byProduct.get(productId);
    if (!words) {
      const p = this.products.get(productId);
      const vendor = p?.vendor?.toLowerCase() ?? null;
      const type = p?.productType?.toLowerCase() ?? null;
      words = this.bits(({ target }) => {
        switch (target.type) {
          case "any":
            return true;
          case "products":
            return target.ids.includes(productId);
          case "collections":
            return p !== undefined && p.collectionIds.some((c) => target.ids.includes(c));
          case "vendors":
            return vendor !== null && target.values.some((v) => v.toLowerCase() === vendor);
          case "product_types":
            return type !== null && target.values.some((v) => v.toLowerCase() === type);
        }
      });
      this.byProduct.set(productId, words);
    }
    return words;
  }

  collection(collectionId: string | null): number[] {
    if (collectionId === null) return this.none;
    let words = this.byCollection.get(collectionId);
    if (!words) {
      words = this.bits(({ target }) => target.type === "collections" && target.ids.includes(collectionId));
      this.byCollection.set(collectionId, words);
    }
    return words;
  }
}

/**
 * Groups a batch's events by customer, each marked with the filters it matches and sorted for counting; events no
 * filter matches are dropped.
 */
export function markActivity(
  events: RawActivity[],
  filters: ActivityFilter[],
  products: Map<string, ProductAttributes>,
): Map<string, ActivityEvent[]> {
  const marker = new Marker(filters, products);
  const out = new Map<string, ActivityEvent[]>();
  for (const event of events) {
    const topic = marker.topic(event.topic);
    const product = marker.product(event.productId);
    const collection = marker.collection(event.collectionId);
    const mask = topic[0]! & (product[0]! | collection[0]!);
    let more: number[] | null = null;
    for (let w = 1; w < topic.length; w++) {
      const bits = topic[w]! & (product[w]! | collection[w]!);
      if (bits) {
        more ??= new Array<number>(topic.length - 1).fill(0);
        more[w - 1] = bits;
      }
    }
    if (mask === 0 && more === null) continue;
    const marked: ActivityEvent = {
      at: event.at,
      record: event.productId ?? `${COLLECTION_PREFIX}${event.collectionId}`,
      mask,
      more,
    };
    const list = out.get(event.customerId);
    if (list) list.push(marked);
    else out.set(event.customerId, [marked]);
  }
  for (const list of out.values()) sortActivity(list);
  return out;
}
