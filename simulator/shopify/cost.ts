/**
 * Calculated query cost and the per-shop leaky bucket, following Shopify's
 * published rules (shopify.dev "GraphQL Admin API rate limits"):
 *
 * - scalars and enums cost 0, objects cost 1;
 * - interfaces and unions cost the maximum over their possible types;
 * - a connection costs 2 plus (first|last) × the cost of one node selection;
 * - every mutation root field costs a flat 10;
 * - the requested cost is computed before execution; the actual cost uses
 *   the items really returned, so it is never larger than the requested one;
 * - the bucket must hold the requested cost before execution starts, and the
 *   difference (requested − actual) is refunded afterwards.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export const MUTATION_COST = 10;
export const CONNECTION_BASE_COST = 2;
/** A single query may not request more than this, whatever the plan. */
export const SINGLE_QUERY_MAX_COST = 1000;

export type ShopPlan = "basic" | "standard" | "advanced" | "plus" | "enterprise" | "development";

export interface PlanLimits {
  readonly restoreRate: number;
  readonly maximumAvailable: number;
}

export const PLAN_LIMITS: Readonly<Record<ShopPlan, PlanLimits>> = {
  basic: { restoreRate: 100, maximumAvailable: 1000 },
  standard: { restoreRate: 100, maximumAvailable: 1000 },
  development: { restoreRate: 100, maximumAvailable: 1000 },
  advanced: { restoreRate: 200, maximumAvailable: 2000 },
  plus: { restoreRate: 1000, maximumAvailable: 10000 },
  enterprise: { restoreRate: 2000, maximumAvailable: 20000 },
};

export interface ThrottleStatus {
  readonly maximumAvailable: number;
  readonly currentlyAvailable: number;
  readonly restoreRate: number;
}

export interface QueryCost {
  readonly requestedQueryCost: number;
  readonly actualQueryCost: number | null;
  readonly throttleStatus: ThrottleStatus;
}

/** Points restore continuously at `restoreRate` per second up to `maximumAvailable`. */
export class LeakyBucket {
  private available: number;
  private updatedAt: number;

  constructor(
    readonly limits: PlanLimits,
    now: number,
  ) {
    this.available = limits.maximumAvailable;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.available = Math.min(this.limits.maximumAvailable, this.available + elapsedSeconds * this.limits.restoreRate);
    this.updatedAt = Math.max(this.updatedAt, now);
  }

  currentlyAvailable(now: number): number {
    this.refill(now);
    return this.available;
  }

  /** Takes `cost` points if the bucket holds them; otherwise takes nothing. */
  tryTake(cost: number, now: number): boolean {
    this.refill(now);
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }

  refund(points: number, now: number): void {
    this.refill(now);
    this.available = Math.min(this.limits.maximumAvailable, this.available + Math.max(0, points));
  }

  /** Drains the bucket to `points` (tests use this to start from a known level). */
  setAvailable(points: number, now: number): void {
    this.refill(now);
    this.available = Math.max(0, Math.min(this.limits.maximumAvailable, points));
  }

  status(now: number): ThrottleStatus {
    return {
      maximumAvailable: this.limits.maximumAvailable,
      // Shopify reports whole points.
      currentlyAvailable: Math.floor(this.currentlyAvailable(now)),
      restoreRate: this.limits.restoreRate,
    };
  }
}

export interface CostContext {
  readonly schema: GraphQLSchema;
  readonly operation: OperationDefinitionNode;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** Coerced variable values. */
  readonly variables: Readonly<Record<string, unknown>>;
}

/** The cost Shopify charges up front, from the document alone. */
export function requestedQueryCost(ctx: CostContext): number {
  return operationCost(ctx, undefined);
}

/** The cost of what was actually returned (`data` from the execution result). */
export function actualQueryCost(ctx: CostContext, data: unknown): number {
  return operationCost(ctx, { value: data });
}

/** `undefined` = requested mode; `{value}` = actual mode with the result subtree. */
type Actual = { readonly value: unknown } | undefined;

function operationCost(ctx: CostContext, actual: Actual): number {
  const { schema, operation } = ctx;
  if (operation.operation === "mutation") {
    const root = schema.getMutationType();
    if (!root) return 0;
    return collectFields(ctx, root, operation.selectionSet).size * MUTATION_COST;
  }
  const root = operation.operation === "query" ? schema.getQueryType() : schema.getSubscriptionType();
  if (!root) return 0;
  if (actual && !isRecord(actual.value)) return 0;
  return objectFieldsCost(ctx, root, [operation.selectionSet], actual);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeConditionApplies(ctx: CostContext, conditionName: string | undefined, type: GraphQLObjectType): boolean {
  if (!conditionName || conditionName === type.name) return true;
  const condition = ctx.schema.getType(conditionName);
  return condition !== undefined && isAbstractType(condition) && ctx.schema.isSubType(condition, type);
}

function included(ctx: CostContext, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, ctx.variables as Record<string, unknown>);
  if (skip?.["if"] === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, ctx.variables as Record<string, unknown>);
  return include?.["if"] !== false;
}

/** Groups the fields selected on a concrete type by response key (like execution does). */
function collectFields(
  ctx: CostContext,
  type: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  into: Map<string, FieldNode[]> = new Map(),
  visited: Set<string> = new Set(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    if (!included(ctx, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const list = into.get(key);
      if (list) list.push(selection);
      else into.set(key, [selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (typeConditionApplies(ctx, selection.typeCondition?.name.value, type)) {
        collectFields(ctx, type, selection.selectionSet, into, visited);
      }
    } else {
      const name = selection.name.value;
      const fragment = ctx.fragments[name];
      if (!fragment || visited.has(name)) continue;
      visited.add(name);
      if (typeConditionApplies(ctx, fragment.typeCondition.name.value, type)) {
        collectFields(ctx, type, fragment.selectionSet, into, visited);
      }
    }
  }
  return into;
}

function compositeCost(
  ctx: CostContext,
  type: GraphQLCompositeType,
  selectionSets: readonly SelectionSetNode[],
  actual: Actual,
): number {
  if (isObjectType(type)) return objectFieldsCost(ctx, type, selectionSets, actual);
  // Interface or union: the most expensive possible type (Shopify's rule). In
  // actual mode the result only holds keys of the branch that matched, so the
  // maximum over branches is the cost of that branch.
  let max = 0;
  for (const possible of ctx.schema.getPossibleTypes(type)) {
    max = Math.max(max, objectFieldsCost(ctx, possible, selectionSets, actual));
  }
  return max;
}

function objectFieldsCost(
  ctx: CostContext,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
  actual: Actual,
): number {
  const fields = new Map<string, FieldNode[]>();
  for (const set of selectionSets) collectFields(ctx, type, set, fields);
  const data = actual && isRecord(actual.value) ? actual.value : undefined;
  let total = 0;
  for (const [key, nodes] of fields) {
    const first = nodes[0];
    if (!first || first.name.value.startsWith("__")) continue;
    const def = type.getFields()[first.name.value];
    if (!def) continue;
    if (actual) {
      if (!data || !(key in data)) continue;
      total += fieldCost(ctx, def, nodes, { value: data[key] });
    } else {
      total += fieldCost(ctx, def, nodes, undefined);
    }
  }
  return total;
}

function subSelections(nodes: readonly FieldNode[]): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const node of nodes) if (node.selectionSet) sets.push(node.selectionSet);
  return sets;
}

function argumentValues(
  ctx: CostContext,
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, ctx.variables as Record<string, unknown>);
  } catch {
    return {};
  }
}

export function isConnectionType(type: GraphQLOutputType): type is GraphQLObjectType {
  const named = getNamedType(type);
  if (!isObjectType(named) || !named.name.endsWith("Connection")) return false;
  const fields = named.getFields();
  return "pageInfo" in fields && ("edges" in fields || "nodes" in fields);
}

function fieldCost(
  ctx: CostContext,
  def: GraphQLField<unknown, unknown>,
  nodes: readonly FieldNode[],
  actual: Actual,
): number {
  const named = getNamedType(def.type);
  if (isLeafType(named)) return 0;
  const first = nodes[0];
  if (!first) return 0;
  if (actual && actual.value == null) return 0;
  const sets = subSelections(nodes);
  if (isConnectionType(def.type)) return connectionCost(ctx, def, first, named as GraphQLObjectType, sets, actual);

  const unwrapped = isNonNullType(def.type) ? def.type.ofType : def.type;
  if (isListType(unwrapped)) {
    if (actual) {
      const items = Array.isArray(actual.value) ? actual.value : [];
      let total = 0;
      for (const item of items) {
        if (item != null) total += 1 + compositeCost(ctx, named as GraphQLCompositeType, sets, { value: item });
      }
      return total;
    }
    // Lists of objects are not paginated; `nodes(ids:)`-style fields are sized by the ids.
    const args = argumentValues(ctx, def, first);
    const ids = args["ids"];
    const count = Array.isArray(ids) ? ids.length : 1;
    return count * (1 + compositeCost(ctx, named as GraphQLCompositeType, sets, undefined));
  }
  return 1 + compositeCost(ctx, named as GraphQLCompositeType, sets, actual);
}

function connectionCost(
  ctx: CostContext,
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  connection: GraphQLObjectType,
  sets: readonly SelectionSetNode[],
  actual: Actual,
): number {
  const fields = new Map<string, FieldNode[]>();
  for (const set of sets) collectFields(ctx, connection, set, fields);
  const connectionFields = connection.getFields();
  const edgeType = connectionFields["edges"] ? getNamedType(connectionFields["edges"].type) : undefined;
  const nodeType = connectionFields["nodes"] ? getNamedType(connectionFields["nodes"].type) : undefined;

  // One node's cost, per selected `edges { node }` and `nodes` (each aliased
  // selection counts: it is fetched separately).
  const perItem = (index: number | undefined, data: Record<string, unknown> | undefined): number => {
    let cost = 0;
    for (const [key, fieldNodes] of fields) {
      const name = fieldNodes[0]?.name.value;
      const value = data ? data[key] : undefined;
      if (name === "nodes" && nodeType && !isLeafType(nodeType)) {
        const item = index === undefined ? undefined : Array.isArray(value) ? (value[index] as unknown) : undefined;
        if (index !== undefined && item == null) continue;
        cost +=
          1 +
          compositeCost(
            ctx,
            nodeType as GraphQLCompositeType,
            subSelections(fieldNodes),
            index === undefined ? undefined : { value: item },
          );
      } else if (name === "edges" && isObjectType(edgeType)) {
        const edgeFields = new Map<string, FieldNode[]>();
        for (const set of subSelections(fieldNodes)) collectFields(ctx, edgeType, set, edgeFields);
        const edge = index === undefined ? undefined : Array.isArray(value) ? (value[index] as unknown) : undefined;
        if (index !== undefined && !isRecord(edge)) continue;
        for (const [edgeKey, edgeFieldNodes] of edgeFields) {
          if (edgeFieldNodes[0]?.name.value !== "node") continue;
          const edgeNodeDef = edgeType.getFields()["node"];
          if (!edgeNodeDef) continue;
          const target = getNamedType(edgeNodeDef.type);
          if (isLeafType(target)) continue;
          const item = isRecord(edge) ? edge[edgeKey] : undefined;
          if (index !== undefined && item == null) continue;
          cost +=
            1 +
            compositeCost(
              ctx,
              target as GraphQLCompositeType,
              subSelections(edgeFieldNodes),
              index === undefined ? undefined : { value: item },
            );
        }
      }
    }
    return cost;
  };

  if (!actual) {
    const args = argumentValues(ctx, def, node);
    const size = Number(args["first"] ?? args["last"] ?? 0);
    return CONNECTION_BASE_COST + (Number.isFinite(size) ? Math.max(0, size) : 0) * perItem(undefined, undefined);
  }
  const data = isRecord(actual.value) ? actual.value : {};
  let count = 0;
  for (const [key, fieldNodes] of fields) {
    const name = fieldNodes[0]?.name.value;
    const value = data[key];
    if ((name === "edges" || name === "nodes") && Array.isArray(value)) count = Math.max(count, value.length);
  }
  let total = CONNECTION_BASE_COST;
  for (let i = 0; i < count; i++) total += perItem(i, data);
  return total;
}
