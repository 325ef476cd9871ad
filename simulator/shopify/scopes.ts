/**
 * Access scopes, enforced from the requirements Shopify ships with the
 * schema (`offline_scopes` in the vendored file). A shop registered with an
 * explicit scope list answers ACCESS_DENIED for fields and types the app was
 * not granted, so a missing scope in the app's configuration fails in tests
 * rather than in a merchant's store. Shops registered without `scopes` grant
 * everything.
 */
import { GraphQLError, getNamedType, isObjectType, type GraphQLResolveInfo } from "graphql";
import { adminScopeRequirements, type ScopeRequirement } from "./schema";

interface ScopeIndex {
  readonly fields: ReadonlyMap<string, ScopeRequirement>;
  readonly types: ReadonlyMap<string, ScopeRequirement>;
}

let index: ScopeIndex | undefined;

function scopeIndex(): ScopeIndex {
  if (index) return index;
  const fields = new Map<string, ScopeRequirement>();
  const types = new Map<string, ScopeRequirement>();
  for (const item of adminScopeRequirements()) {
    if (item.offlineScopes.length === 0) continue;
    if (item.type === "type") types.set(item.typeName, item);
    else if (item.fieldName) fields.set(`${item.typeName}.${item.fieldName}`, item);
  }
  index = { fields, types };
  return index;
}

/** `write_x` implies `read_x`, as Shopify grants it. */
export function expandScopes(scopes: readonly string[]): ReadonlySet<string> {
  const granted = new Set<string>();
  for (const raw of scopes) {
    const scope = raw.trim();
    if (!scope) continue;
    granted.add(scope);
    if (scope.startsWith("write_")) granted.add(`read_${scope.slice("write_".length)}`);
    if (scope.startsWith("unauthenticated_write_")) granted.add(scope.replace("_write_", "_read_"));
  }
  return granted;
}

function satisfied(requirement: ScopeRequirement, granted: ReadonlySet<string>): boolean {
  // Listed scopes are alternatives ("read_orders or read_marketplace_orders").
  return requirement.offlineScopes.some((scope) => granted.has(scope));
}

function denied(fieldName: string, requirement: ScopeRequirement): GraphQLError {
  const required =
    requirement.requiredAccess || requirement.offlineScopes.map((s) => `\`${s}\` access scope`).join(" or ");
  return new GraphQLError(`Access denied for ${fieldName} field. Required access: ${required}`, {
    extensions: {
      code: "ACCESS_DENIED",
      documentation: "https://shopify.dev/api/usage/access-scopes",
      requiredAccess: required,
    },
  });
}

/** Throws ACCESS_DENIED when the field, or the object type it returns, needs a scope not granted. */
export function enforceScopes(info: GraphQLResolveInfo, granted: ReadonlySet<string>): void {
  const { fields, types } = scopeIndex();
  const fieldRequirement = fields.get(`${info.parentType.name}.${info.fieldName}`);
  if (fieldRequirement && !satisfied(fieldRequirement, granted)) throw denied(info.fieldName, fieldRequirement);
  const named = getNamedType(info.returnType);
  if (isObjectType(named)) {
    const typeRequirement = types.get(named.name);
    if (typeRequirement && !satisfied(typeRequirement, granted)) throw denied(info.fieldName, typeRequirement);
  }
}
