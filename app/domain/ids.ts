// Row ids are UUIDs. An id from a URL or a form is checked before it reaches a query: PostgreSQL refuses a
// malformed uuid with an error (a 500) where the merchant should see "not found".
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string | null | undefined): value is string {
  return typeof value === "string" && UUID.test(value);
}

const MAX_BIGINT = 9223372036854775807n;

/** A bigint row id (codes, messages) as a string of digits that PostgreSQL's bigint can hold: 19 digits may not. */
export function isBigintId(value: string | null | undefined): value is string {
  return typeof value === "string" && /^\d{1,19}$/.test(value) && BigInt(value) <= MAX_BIGINT;
}
