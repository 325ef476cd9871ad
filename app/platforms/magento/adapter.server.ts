// Magento 2 implementation of the DiscountPlatform port over the REST API.
//
// Dynamic codes: one sales rule per group key and expiry day (found by a name derived from both, created when
// missing, its id cached per process), each code a coupon of it (POST /V1/coupons). The day is part of the key
// because Magento gives every coupon its rule's end date, while a group key names an expiry rule ("30 days after
// issue") whose codes end on different days. Static pools: codes are added as coupons to a
// sales rule the merchant chose; Magento has no bulk import, so each call reports its per-code outcome at once.
// Creating a coupon is not idempotent, so a lost answer is resolved by looking the code up before trying again:
// the same code on the same rule can only be ours (the group key names the pool, and the pool records the code
// before asking). docs/decisions/0009-magento-adapter.md has the reasoning.
import { randomUUID } from "node:crypto";
import { RetriablePlatformError, ThrottledError } from "../errors";
import type {
  BulkAddProgress,
  BulkAddStart,
  CreateCodeResult,
  DiscountPlatform,
  DynamicCodeSpec,
  PlatformDiscount,
  ShopProfile,
} from "../port";
import { MagentoApiError, type MagentoRestClient } from "./rest-client.server";
import { dayInZone, isAppRule, isRuleOfPool, ruleBodyFor, ruleNameFor, valueMapping, type RuleContext } from "./rule-spec";
import type {
  MagentoCoupon,
  MagentoProductSummary,
  MagentoRule,
  MagentoStoreConfig,
  MagentoStoreGroup,
  MagentoStoreView,
} from "./types";

/** The port's limit for one addCodesToDiscount call. */
export const COUPONS_PER_CALL = 250;
const PARALLEL_COUPONS = 4;
const CREATE_ATTEMPTS = 3;
const PAGE_SIZE = 100;

export interface MagentoSettings {
  /** Websites and customer groups the app's rules apply to (Settings → Magento). */
  websiteIds: number[];
  customerGroupIds: number[];
}

/** `<rule id>:<coupon id>:<code>`. Codes never contain ':' (app/domain/pools/code-rules.ts). */
export function couponRef(coupon: Pick<MagentoCoupon, "rule_id" | "coupon_id" | "code">): string {
  return `${coupon.rule_id}:${coupon.coupon_id}:${coupon.code}`;
}

export function parseCouponRef(ref: string): { ruleId: number | null; couponId: number | null; code: string } {
  const match = /^(\d+):(\d+):(.+)$/.exec(ref);
  if (!match) return { ruleId: null, couponId: null, code: ref };
  return { ruleId: Number(match[1]), couponId: Number(match[2]), code: match[3]! };
}

// Per process: rule ids by store and group key, store time zones, and the outcome of recent static additions.
const ruleIds = new Map<string, Promise<number | CreateCodeResult>>();
const timeZones = new Map<string, Promise<string>>();
const bulkRuns = new Map<string, BulkAddProgress>();
const MAX_REMEMBERED_RUNS = 200;

export function forgetMagentoCaches(): void {
  ruleIds.clear();
  timeZones.clear();
  bulkRuns.clear();
}

type AddCoupon =
  | { type: "created"; coupon: MagentoCoupon }
  | { type: "taken"; byRuleId: number | null }
  | { type: "rule_gone" }
  | { type: "refused"; message: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class MagentoPlatform implements DiscountPlatform {
  readonly kind = "MAGENTO" as const;

  constructor(
    private readonly client: MagentoRestClient,
    private readonly settings: MagentoSettings,
    private readonly options: { retryDelayMs?: number } = {},
  ) {}

  private get storeKey(): string {
    const { baseUrl, storeCode } = this.client.connection;
    return `${baseUrl.replace(/\/+$/, "")}|${storeCode}`;
  }

  // ---- the store ---------------------------------------------------------------------------------------------

  async describeShop(): Promise<ShopProfile> {
    const [views, groups] = await Promise.all([
      this.client.get<MagentoStoreView[]>("/store/storeViews"),
      this.client.get<MagentoStoreGroup[]>("/store/storeGroups"),
    ]);
    const view = views.find((v) => v.code === this.client.connection.storeCode) ?? views.find((v) => v.code === "default") ?? views[0];
    const config = view ? await this.storeConfig(view.code) : undefined;
    const group = groups.find((g) => g.id === view?.store_group_id);
    return {
      name: group?.name ?? view?.name ?? new URL(this.client.connection.baseUrl).host,
      // Magento's REST API does not expose the store's contact address.
      contactEmail: null,
      plan: null,
      currencyCode: config?.base_currency_code ?? null,
    };
  }

  private async storeConfig(code: string): Promise<MagentoStoreConfig | undefined> {
    const query = new URLSearchParams([["storeCodes[]", code]]);
    const configs = await this.client.get<MagentoStoreConfig[]>("/store/storeConfigs", query);
    return configs.find((c) => c.code === code) ?? configs[0];
  }

  private timeZone(): Promise<string> {
    let pending = timeZones.get(this.storeKey);
    if (!pending) {
      const code = this.client.connection.storeCode === "all" ? "default" : this.client.connection.storeCode;
      pending = this.storeConfig(code).then((c) => c?.timezone ?? "UTC");
      timeZones.set(this.storeKey, pending);
      pending.catch(() => timeZones.delete(this.storeKey));
    }
    return pending;
  }

  // ---- dynamic codes -----------------------------------------------------------------------------------------

  async createDynamicCode(spec: DynamicCodeSpec): Promise<CreateCodeResult> {
    if (!spec.code.trim()) return { type: "invalid", message: "The code is empty" };
    const endDay = spec.endsAt ? dayInZone(spec.endsAt, await this.timeZone()) : null;
    for (let attempt = 0; attempt < 2; attempt++) {
      const rule = await this.ruleFor(spec, endDay);
      if (typeof rule !== "number") return rule;
      const added = await this.addCoupon(rule, spec.code, 1);
      switch (added.type) {
        case "created":
          return { type: "created", platformRef: couponRef(added.coupon) };
        case "taken":
          return { type: "code_taken" };
        case "refused":
          return { type: "invalid", message: added.message };
        case "rule_gone":
          // The merchant deleted the rule in Magento: forget it and build it again.
          ruleIds.delete(this.ruleKey(spec.groupKey, endDay));
          continue;
      }
    }
    return { type: "invalid", message: `The sales rule for "${spec.title}" keeps disappearing in Magento` };
  }

  /** The websites and customer groups the app's rules apply to (Settings > Magento), in a stable order. */
  private get ruleScope(): string {
    return ruleScopeOf(this.settings.websiteIds, this.settings.customerGroupIds);
  }

  private ruleKey(groupKey: string, endDay: string | null): string {
    return `${this.storeKey}|${groupKey}|${endDay ?? "open"}|${this.ruleScope}`;
  }

  /** The rule id for the group and end day, from this process's cache, a search by name, or a new rule. */
  private async ruleFor(spec: DynamicCodeSpec, endDay: string | null): Promise<number | CreateCodeResult> {
    const key = this.ruleKey(spec.groupKey, endDay);
    let pending = ruleIds.get(key);
    if (!pending) {
      pending = this.findOrCreateRule(spec, endDay);
      ruleIds.set(key, pending);
    }
    try {
      const rule = await pending;
      if (typeof rule !== "number" && ruleIds.get(key) === pending) ruleIds.delete(key);
      return rule;
    } catch (error) {
      if (ruleIds.get(key) === pending) ruleIds.delete(key);
      throw error;
    }
  }

  /**
   * The group's rule for the websites and customer groups in Settings now. A rule made before the merchant changed
   * them keeps the old ones (and its codes keep working as they were issued); new codes need a rule of their own,
   * or guests added to the customer groups would still be refused every new code.
   */
  private async findRule(name: string): Promise<MagentoRule | null> {
    const result = await this.client.search<MagentoRule>("/salesRules/search", {
      filterGroups: [[{ field: "name", value: name }]],
      sortOrders: [{ field: "rule_id", direction: "ASC" }],
      pageSize: 50,
    });
    const scope = this.ruleScope;
    // A rule answered without its websites or groups cannot be told apart, and is taken as it is (rather than
    // making a new rule at every lookup). Two workers may have raced to create the rule; the oldest wins and the
    // other only holds its own coupons.
    const sameScope = (r: MagentoRule) =>
      r.website_ids === undefined || r.customer_group_ids === undefined || ruleScopeOf(r.website_ids, r.customer_group_ids) === scope;
    return result.items.find((r) => r.name === name && sameScope(r)) ?? null;
  }

  private async findOrCreateRule(spec: DynamicCodeSpec, endDay: string | null): Promise<number | CreateCodeResult> {
    const name = ruleNameFor(spec.groupKey, endDay);
    const existing = await this.findRule(name);
    if (existing) return existing.rule_id;

    const value = valueMapping(spec);
    if (value.type === "invalid") return value;
    const target = await this.targetOf(spec);
    if ("type" in target) return target;
    const context: RuleContext = { ...this.settings, ...target, timezone: await this.timeZone() };
    try {
      const rule = await this.client.post<MagentoRule>("/salesRules", ruleBodyFor(spec, value, context));
      return rule.rule_id;
    } catch (error) {
      if (error instanceof MagentoApiError) return { type: "invalid", message: `Magento refused the sales rule: ${error.magentoMessage}` };
      if (error instanceof RetriablePlatformError && !(error instanceof ThrottledError)) {
        // The answer was lost; the rule may exist now.
        const created = await this.findRule(name);
        if (created) return created.rule_id;
      }
      throw error;
    }
  }

  /** SKUs (or category ids) the rule restricts to; Magento rules match products by attribute, not by id. */
  private async targetOf(spec: DynamicCodeSpec): Promise<Pick<RuleContext, "skus" | "categoryIds"> | CreateCodeResult> {
    switch (spec.target.type) {
      case "order":
        return { skus: null, categoryIds: null };
      case "collections": {
        const ids = spec.target.collectionIds.map(magentoId);
        const bad = spec.target.collectionIds.filter((_, i) => ids[i] === null);
        if (bad.length) return { type: "target_gone", ids: bad };
        if (ids.length === 0) return { type: "invalid", message: "No categories to restrict the code to" };
        return { skus: null, categoryIds: ids as string[] };
      }
      case "products": {
        const wanted = [...new Set([...spec.target.productIds, ...spec.target.variantIds])];
        if (wanted.length === 0) return { type: "invalid", message: "No products to restrict the code to" };
        const skus = await this.skusOf(wanted);
        const gone = wanted.filter((id) => !skus.has(id));
        if (gone.length) return { type: "target_gone", ids: gone };
        return { skus: [...new Set(skus.values())], categoryIds: null };
      }
    }
  }

  /** Product ids → SKUs, read from Magento (GET /V1/products by entity_id) so renamed SKUs are current. */
  private async skusOf(ids: string[]): Promise<Map<string, string>> {
    const byNumeric = new Map<string, string>();
    for (const id of ids) {
      const numeric = magentoId(id);
      if (numeric !== null) byNumeric.set(numeric, id);
    }
    const found = new Map<string, string>();
    const numericIds = [...byNumeric.keys()];
    for (let i = 0; i < numericIds.length; i += PAGE_SIZE) {
      const chunk = numericIds.slice(i, i + PAGE_SIZE);
      const result = await this.client.search<MagentoProductSummary>("/products", {
        filterGroups: [[{ field: "entity_id", value: chunk.join(","), conditionType: "in" }]],
        pageSize: chunk.length,
      });
      for (const product of result.items) {
        const original = byNumeric.get(String(product.id));
        if (original !== undefined) found.set(original, product.sku);
      }
    }
    return found;
  }

  /**
   * Adds one coupon to a rule exactly once. Magento may save a coupon and lose the answer (a proxy's 502, a
   * timeout): before trying again the code is looked up, and found on this rule it counts as created.
   */
  private async addCoupon(ruleId: number, code: string, type: 0 | 1): Promise<AddCoupon> {
    for (let attempt = 1; ; attempt++) {
      try {
        const coupon = await this.client.post<MagentoCoupon>("/coupons", { coupon: { rule_id: ruleId, code, type, is_primary: false } });
        return { type: "created", coupon };
      } catch (error) {
        if (error instanceof MagentoApiError) {
          if (/already exists/i.test(error.magentoMessage)) {
            const existing = await this.lookupCoupon(code);
            if (existing && existing.rule_id === ruleId) return { type: "created", coupon: existing };
            return { type: "taken", byRuleId: existing?.rule_id ?? null };
          }
          if (/No such entity with rule_id/i.test(error.magentoMessage)) return { type: "rule_gone" };
          return { type: "refused", message: error.magentoMessage || error.message };
        }
        if (error instanceof RetriablePlatformError && !(error instanceof ThrottledError)) {
          const existing = await this.lookupCoupon(code);
          if (existing) return existing.rule_id === ruleId ? { type: "created", coupon: existing } : { type: "taken", byRuleId: existing.rule_id };
          if (attempt < CREATE_ATTEMPTS) {
            await sleep((this.options.retryDelayMs ?? 250) * attempt);
            continue;
          }
        }
        throw error;
      }
    }
  }

  private async lookupCoupon(code: string): Promise<MagentoCoupon | null> {
    const result = await this.client.search<MagentoCoupon>("/coupons/search", {
      filterGroups: [[{ field: "code", value: code }]],
      pageSize: 5,
    });
    // MySQL compares codes without regard to case, as checkout does.
    return result.items.find((c) => c.code.toLowerCase() === code.toLowerCase()) ?? null;
  }

  /**
   * The coupon holding `code`, only when it sits on one of this app's dynamic rules (of `owner.poolId`'s pool when
   * given). Coupon codes are unique across a Magento store, so a merchant's coupon with the same text (another
   * rule's) must read as "not ours": the service then draws a new code instead of adopting the merchant's.
   */
  async findCode(code: string, owner?: { poolId: string }): Promise<{ platformRef: string } | null> {
    const coupon = await this.lookupCoupon(code);
    if (!coupon || !(await this.isOwnRule(coupon.rule_id, owner?.poolId))) return null;
    return { platformRef: couponRef(coupon) };
  }

  /** Whether the rule is one the app made for dynamic codes (of `poolId`'s pool when given), read by its name. */
  private async isOwnRule(ruleId: number, poolId?: string): Promise<boolean> {
    let name: string | null | undefined;
    try {
      name = (await this.client.get<MagentoRule>(`/salesRules/${ruleId}`)).name;
    } catch (error) {
      // A coupon whose rule cannot be read is not one the app can vouch for.
      if (error instanceof MagentoApiError && error.status === 404) return false;
      throw error;
    }
    if (!isAppRule(name)) return false;
    return poolId === undefined || isRuleOfPool(name, poolId);
  }

  /**
   * Deletes the coupon behind `platformRef`, but only while it is still on one of the app's own rules: Magento
   * deletes by code, and a code the app never owned (or one a merchant's rule took after ours was deleted) must
   * survive. A coupon already gone, or held by a rule the app does not own, leaves nothing of ours to revoke.
   */
  async revokeCode(platformRef: string): Promise<void> {
    const { code, ruleId } = parseCouponRef(platformRef);
    const coupon = await this.lookupCoupon(code);
    if (!coupon) return;
    if ((ruleId !== null && coupon.rule_id !== ruleId) || !(await this.isOwnRule(coupon.rule_id))) return;
    // Deleting by code is idempotent: a code already gone comes back in missing_items.
    const result = await this.client.post<{ failed_items: string[]; missing_items: string[] }>(
      "/coupons/deleteByCodes",
      { codes: [code], ignoreInvalidCoupons: true },
      { idempotent: true },
    );
    if (result.failed_items.length > 0) {
      throw new RetriablePlatformError(`Magento could not delete coupon ${code}`, "MAGENTO");
    }
  }

  // ---- static pools ------------------------------------------------------------------------------------------

  /** Sales rules that take specific coupons, except the ones this app made for dynamic pools. */
  async listDiscounts(): Promise<PlatformDiscount[]> {
    const rules: MagentoRule[] = [];
    // Magento answers the last page again for a page past the end, so stop on total_count.
    for (let page = 1; page <= 50; page++) {
      const result = await this.client.search<MagentoRule>("/salesRules/search", {
        sortOrders: [{ field: "rule_id", direction: "ASC" }],
        pageSize: PAGE_SIZE,
        currentPage: page,
      });
      rules.push(...result.items);
      if (page * PAGE_SIZE >= result.total_count || result.items.length === 0) break;
    }
    return rules
      .filter((r) => r.coupon_type === "SPECIFIC_COUPON" && !isAppRule(r.name))
      .map((r) => ({
        id: String(r.rule_id),
        title: r.name ?? `Rule ${r.rule_id}`,
        status: r.is_active ? "ACTIVE" : "INACTIVE",
        kind: r.use_auto_generation ? "SalesRule (specific coupons, auto generation)" : "SalesRule (specific coupons)",
      }));
  }

  async addCodesToDiscount(discountRef: string, codes: string[]): Promise<BulkAddStart> {
    if (codes.length === 0 || codes.length > COUPONS_PER_CALL) {
      return { type: "refused", message: `Between 1 and ${COUPONS_PER_CALL} codes per call, not ${codes.length}` };
    }
    if (!/^\d+$/.test(discountRef)) return { type: "refused", message: `"${discountRef}" is not a Magento sales rule id` };
    const ruleId = Number(discountRef);
    let rule: MagentoRule;
    try {
      rule = await this.client.get<MagentoRule>(`/salesRules/${ruleId}`);
    } catch (error) {
      if (error instanceof MagentoApiError && error.status === 404) {
        return { type: "refused", message: `Sales rule ${ruleId} no longer exists in Magento` };
      }
      throw error;
    }
    if (rule.coupon_type !== "SPECIFIC_COUPON") {
      return { type: "refused", message: `Sales rule "${rule.name ?? ruleId}" does not take specific coupon codes (its coupon type is ${rule.coupon_type})` };
    }
    const type = rule.use_auto_generation ? 1 : 0;
    const failed: BulkAddProgress["failed"] = [];
    let imported = 0;
    let next = 0;
    const worker = async () => {
      while (next < codes.length) {
        const code = codes[next++]!;
        const added = await this.addCoupon(ruleId, code, type);
        if (added.type === "created") imported += 1;
        else if (added.type === "taken") failed.push({ code, reason: "TAKEN: another Magento sales rule already has this coupon code" });
        else if (added.type === "rule_gone") failed.push({ code, reason: `Sales rule ${ruleId} no longer exists in Magento` });
        else failed.push({ code, reason: added.message });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_COUPONS, codes.length) }, worker));
    const progress: BulkAddProgress = { ref: `magento-${randomUUID()}`, done: true, total: codes.length, imported, failed };
    bulkRuns.set(progress.ref, progress);
    if (bulkRuns.size > MAX_REMEMBERED_RUNS) bulkRuns.delete(bulkRuns.keys().next().value!);
    return { type: "started", progress };
  }

  /** Additions finish within addCodesToDiscount; a ref this process does not remember is reported done. */
  bulkAddProgress(ref: string): Promise<BulkAddProgress> {
    return Promise.resolve(bulkRuns.get(ref) ?? { ref, done: true, total: 0, imported: 0, failed: [] });
  }

  async discountOfCode(code: string): Promise<string | null> {
    const coupon = await this.lookupCoupon(code);
    return coupon ? String(coupon.rule_id) : null;
  }
}

/** Websites and customer groups as one comparable text, whatever their order or repeats. */
function ruleScopeOf(websiteIds: readonly number[], customerGroupIds: readonly number[]): string {
  const sorted = (ids: readonly number[]) => [...new Set(ids.map(Number))].sort((a, b) => a - b).join(",");
  return `${sorted(websiteIds)}/${sorted(customerGroupIds)}`;
}

/** Magento entity ids are integers; callers may hand over `gid://magento/Product/12` style ids too. */
function magentoId(id: string): string | null {
  const match = /(?:^|\/)(\d+)$/.exec(id.trim());
  return match ? String(Number(match[1])) : null;
}
