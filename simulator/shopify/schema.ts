/**
 * The Admin GraphQL schema the app is pinned to, loaded from the vendored
 * introspection result (`app/platforms/shopify/schema/admin_<version>.json.gz`).
 *
 * Both the simulator and the app's own "every GraphQL document validates" test
 * use this module, so a document that would be rejected by Shopify is rejected
 * here too — before it ever reaches a store.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  buildClientSchema,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";

/** The one Admin API version the app (and therefore the simulator) speaks. */
export const ADMIN_API_VERSION = "2026-07";

const SCHEMA_RELATIVE_PATH = `app/platforms/shopify/schema/admin_${ADMIN_API_VERSION}.json.gz`;

/** Access-scope requirements that ship alongside the introspection result. */
export interface ScopeRequirement {
  readonly type: "type" | "field";
  readonly typeName: string;
  readonly fieldName?: string;
  readonly offlineScopes: readonly string[];
  readonly requiredAccess: string;
}

interface VendoredSchemaFile {
  readonly data: IntrospectionQuery;
  readonly offline_scopes?: { readonly items: readonly ScopeRequirement[] };
}

let cached: { schema: GraphQLSchema; scopes: readonly ScopeRequirement[] } | undefined;

/**
 * Finds the vendored file. `import.meta.url` is the reliable anchor (this file
 * lives at `<root>/simulator/shopify/`), with an env override and a walk up
 * from the working directory as fallbacks for unusual bundling.
 */
export function adminSchemaPath(): string {
  const override = process.env["SHOPIFY_ADMIN_SCHEMA_PATH"];
  if (override) return resolve(override);
  const candidates: string[] = [];
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    candidates.push(resolve(here, "..", "..", SCHEMA_RELATIVE_PATH));
  } catch {
    // import.meta.url is not a file: URL (e.g. bundled); fall back to cwd.
  }
  let dir = process.cwd();
  for (let i = 0; i < 8; i++) {
    candidates.push(join(dir, SCHEMA_RELATIVE_PATH));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `Admin GraphQL schema not found; looked for ${SCHEMA_RELATIVE_PATH} at:\n  ${candidates.join("\n  ")}`,
    );
  }
  return found;
}

function load(): { schema: GraphQLSchema; scopes: readonly ScopeRequirement[] } {
  if (cached) return cached;
  const raw = JSON.parse(gunzipSync(readFileSync(adminSchemaPath())).toString("utf8")) as VendoredSchemaFile;
  if (!raw.data?.__schema) throw new Error("vendored Admin schema has no data.__schema");
  // assumeValid: the file is Shopify's own introspection; re-validating it
  // costs ~a second per process for no benefit.
  const schema = buildClientSchema(raw.data, { assumeValid: true });
  cached = { schema, scopes: raw.offline_scopes?.items ?? [] };
  return cached;
}

/** The client schema (no resolvers) for the pinned Admin API version. Cached per process. */
export function adminSchema(): GraphQLSchema {
  return load().schema;
}

/** Access-scope requirements per type/field, from the vendored file. */
export function adminScopeRequirements(): readonly ScopeRequirement[] {
  return load().scopes;
}

export interface CheckedDocument {
  /** The parsed document; undefined when the source has a syntax error. */
  readonly document: DocumentNode | undefined;
  /** Syntax or validation errors; empty when the document is valid. */
  readonly errors: readonly GraphQLError[];
}

const checkedCache = new Map<string, CheckedDocument>();
const CHECKED_CACHE_LIMIT = 1000;

/**
 * Parses and validates a document against the pinned schema, memoised by
 * source text (the app sends the same few documents over and over).
 */
export function checkAdminDocument(source: string): CheckedDocument {
  const hit = checkedCache.get(source);
  if (hit) return hit;
  let checked: CheckedDocument;
  try {
    const document = parse(source);
    checked = { document, errors: validate(adminSchema(), document) };
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    checked = { document: undefined, errors: [error] };
  }
  if (checkedCache.size >= CHECKED_CACHE_LIMIT) checkedCache.clear();
  checkedCache.set(source, checked);
  return checked;
}

/**
 * Validates a document against the pinned Admin schema. Returns the errors
 * (empty when valid); a syntax error comes back as a single GraphQLError.
 */
export function validateAdminDocument(source: string): readonly GraphQLError[] {
  return checkAdminDocument(source).errors;
}
