// Shopify ids exceed 2^53 (order ids already do). JSON.parse would round them silently, so integers that are not
// safe are kept as their exact source text. Node 22+ passes the source text to the reviver.

type ReviverContext = { source?: string };

export function parseJsonKeepingBigIds(text: string): unknown {
  return JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: ReviverContext) {
    if (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value) && context?.source) {
      return context.source;
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}
