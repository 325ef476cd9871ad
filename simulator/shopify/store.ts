/**
 * In-memory state of one simulated shop. Records hold plain data with numeric
 * string ids and integer cents; the GraphQL shapes (gids, MoneyV2, unions) are
 * built by the resolvers, so tests can inspect and arrange state directly.
 */
import type { Clock } from "./clock";
import type { ShopPlan } from "./cost";
import { IdAllocator } from "./ids";
import type { AppIdentity } from "./resolvers/shop";

export type IsoDate = string;

export interface ProductRecord {
  id: string;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  status: "ACTIVE" | "DRAFT" | "ARCHIVED";
  description: string;
  tags: string[];
  variantIds: string[];
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface VariantRecord {
  id: string;
  productId: string;
  title: string;
  sku: string | null;
  priceCents: number;
  compareAtPriceCents: number | null;
  inventoryQuantity: number;
  options: { name: string; value: string }[];
  position: number;
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface CollectionRecord {
  id: string;
  title: string;
  handle: string;
  description: string;
  productIds: string[];
  updatedAt: IsoDate;
}

export type EmailMarketingState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING" | "INVALID" | "REDACTED";

export interface CustomerRecord {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  note: string | null;
  tags: string[];
  state: "ENABLED" | "DISABLED" | "INVITED" | "DECLINED";
  verifiedEmail: boolean;
  numberOfOrders: number;
  amountSpentCents: number;
  emailMarketing: {
    marketingState: EmailMarketingState;
    marketingOptInLevel: "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" | "UNKNOWN" | null;
    consentUpdatedAt: IsoDate | null;
  };
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface RedeemCodeRecord {
  id: string;
  code: string;
  discountId: string;
  usageCount: number;
  createdAt: IsoDate;
  /** The app that created the code through the API (`DiscountRedeemCode.createdBy`); null when the merchant did. */
  createdBy: AppIdentity | null;
}

export type DiscountContextRecord = { kind: "all" } | { kind: "customers"; customerIds: string[] };
export type DiscountValueRecord =
  { kind: "percentage"; percentage: number } | { kind: "amount"; amountCents: number; appliesOnEachItem: boolean };
export type DiscountItemsRecord =
  | { kind: "all" }
  | { kind: "products"; productIds: string[]; variantIds: string[] }
  | { kind: "collections"; collectionIds: string[] };
export type MinimumRequirementRecord =
  { kind: "subtotal"; subtotalCents: number } | { kind: "quantity"; quantity: string } | null;

export interface DiscountRecord {
  id: string;
  kind: "basic" | "freeShipping";
  title: string;
  startsAt: IsoDate;
  endsAt: IsoDate | null;
  usageLimit: number | null;
  appliesOncePerCustomer: boolean;
  recurringCycleLimit: number | null;
  tags: string[];
  combinesWith: { orderDiscounts: boolean; productDiscounts: boolean; shippingDiscounts: boolean };
  context: DiscountContextRecord;
  minimumRequirement: MinimumRequirementRecord;
  appliesOnOneTimePurchase: boolean;
  appliesOnSubscription: boolean;
  /** Basic discounts only. */
  value: DiscountValueRecord | null;
  items: DiscountItemsRecord | null;
  /** Free-shipping discounts only. */
  destination: { kind: "all" } | { kind: "countries"; countries: string[]; includeRestOfWorld: boolean } | null;
  maximumShippingPriceCents: number | null;
  /** Redeem codes in creation order; the first is the code given at creation. */
  codeIds: string[];
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface LineItemRecord {
  id: string;
  productId: string;
  variantId: string;
  title: string;
  variantTitle: string;
  sku: string | null;
  vendor: string;
  quantity: number;
  unitPriceCents: number;
  /** Code discount allocated to this line (whole line, not per unit). */
  discountCents: number;
}

export interface OrderRecord {
  id: string;
  number: number;
  name: string;
  email: string | null;
  customerId: string | null;
  lineItems: LineItemRecord[];
  discountCodes: string[];
  subtotalCents: number;
  totalDiscountsCents: number;
  totalCents: number;
  financialStatus: "PAID" | "PENDING" | "REFUNDED" | "PARTIALLY_REFUNDED" | "AUTHORIZED" | "VOIDED";
  cancelledAt: IsoDate | null;
  tags: string[];
  note: string | null;
  createdAt: IsoDate;
  processedAt: IsoDate;
  updatedAt: IsoDate;
}

export type MetafieldOwnerType =
  "CUSTOMER" | "PRODUCT" | "PRODUCTVARIANT" | "COLLECTION" | "ORDER" | "SHOP" | "DISCOUNT";

export interface MetafieldRecord {
  id: string;
  ownerGid: string;
  ownerType: MetafieldOwnerType;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface WebPixelRecord {
  id: string;
  /** As Shopify stores it: a JSON document in a string. */
  settings: string;
}

export interface DiscountUserErrorRecord {
  field: string[] | null;
  message: string;
  code: string | null;
  extraInfo?: string | null;
}

export interface BulkCodeEntry {
  code: string;
  status: "pending" | "imported" | "failed";
  errors: DiscountUserErrorRecord[];
  redeemCodeId: string | null;
}

export interface BulkCreationRecord {
  id: string;
  discountId: string;
  createdAt: IsoDate;
  createdAtMs: number;
  entries: BulkCodeEntry[];
  /** Entries before this index have been processed. */
  nextIndex: number;
  /** The app that asked for the codes; they are created in its name. */
  createdBy: AppIdentity | null;
}

export type BulkOperationStatus =
  "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";
export type BulkOperationErrorCode = "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT";

/** One non-empty line of a bulk mutation's variables file. */
export interface BulkOperationLine {
  /** 0-based index of the line in the uploaded file (blank lines count). */
  lineNumber: number;
  variables: Record<string, unknown>;
}

/** A `bulkOperationRunMutation` operation (see bulk-operations.ts for how it advances). */
export interface BulkOperationRecord {
  id: string;
  type: "MUTATION";
  status: BulkOperationStatus;
  /** The mutation document, as given. */
  query: string;
  clientIdentifier: string | null;
  stagedUploadPath: string;
  createdAt: IsoDate;
  createdAtMs: number;
  completedAt: IsoDate | null;
  errorCode: BulkOperationErrorCode | null;
  lines: BulkOperationLine[];
  /** Lines before this index have been executed (`objectCount`). */
  nextLine: number;
  /** One JSON text per executed line, until the result file is written. */
  output: string[];
  /** When `bulkOperationCancel` was accepted. */
  cancelRequestedAtMs: number | null;
  url: string | null;
  partialDataUrl: string | null;
  /** Bytes of the file at `url`. */
  fileSize: number | null;
}

export interface ShopProfile {
  domain: string;
  name: string;
  email: string;
  currencyCode: string;
  plan: ShopPlan;
  ianaTimezone: string;
}

export const MAX_CODE_LENGTH = 255;

/** Why a code string cannot be used at all (independent of other codes). */
export function codeProblem(code: string): { code: "BLANK" | "TOO_LONG" | "INVALID"; message: string } | undefined {
  if (code.trim() === "") return { code: "BLANK", message: "Code can't be blank" };
  if (code.length > MAX_CODE_LENGTH) {
    return { code: "TOO_LONG", message: `Code is too long (maximum is ${MAX_CODE_LENGTH} characters)` };
  }
  if (/[\r\n]/.test(code)) return { code: "INVALID", message: "Code cannot contain newline characters." };
  return undefined;
}

export const CODE_TAKEN_MESSAGE = "Code must be unique. Please try a different code.";

/**
 * The shop's metafields by id, indexed by owner + namespace + key as well, so
 * finding one does not scan them all (a bulk metafieldsSet over 100,000
 * customers looks one up per line). Owner, namespace and key of a record never
 * change after it is stored; the index follows `set` and `delete`.
 */
class MetafieldMap extends Map<string, MetafieldRecord> {
  private readonly byOwnerKey = new Map<string, string>();

  static indexKey(ownerGid: string, namespace: string, key: string): string {
    return `${ownerGid}\u0000${namespace}\u0000${key}`;
  }

  override set(id: string, record: MetafieldRecord): this {
    const previous = super.get(id);
    if (previous) this.byOwnerKey.delete(MetafieldMap.indexKey(previous.ownerGid, previous.namespace, previous.key));
    super.set(id, record);
    this.byOwnerKey.set(MetafieldMap.indexKey(record.ownerGid, record.namespace, record.key), id);
    return this;
  }

  override delete(id: string): boolean {
    const previous = super.get(id);
    if (previous) this.byOwnerKey.delete(MetafieldMap.indexKey(previous.ownerGid, previous.namespace, previous.key));
    return super.delete(id);
  }

  override clear(): void {
    this.byOwnerKey.clear();
    super.clear();
  }

  find(ownerGid: string, namespace: string, key: string): MetafieldRecord | undefined {
    const id = this.byOwnerKey.get(MetafieldMap.indexKey(ownerGid, namespace, key));
    return id === undefined ? undefined : super.get(id);
  }
}

export class ShopStore {
  readonly ids: IdAllocator;
  readonly shopId: string;
  readonly products = new Map<string, ProductRecord>();
  readonly variants = new Map<string, VariantRecord>();
  readonly collections = new Map<string, CollectionRecord>();
  readonly customers = new Map<string, CustomerRecord>();
  readonly discounts = new Map<string, DiscountRecord>();
  readonly redeemCodes = new Map<string, RedeemCodeRecord>();
  readonly orders = new Map<string, OrderRecord>();
  private readonly metafieldIndex = new MetafieldMap();
  readonly metafields: Map<string, MetafieldRecord> = this.metafieldIndex;
  readonly webPixels = new Map<string, WebPixelRecord>();
  readonly bulkCreations = new Map<string, BulkCreationRecord>();
  /** Bulk mutation operations, in creation order. */
  readonly bulkOperations = new Map<string, BulkOperationRecord>();
  /** Upper-cased code → redeem code id. Shopify codes are unique per shop, case-insensitively. */
  private readonly codeIndex = new Map<string, string>();
  private nextOrderNumber = 1001;

  constructor(
    readonly profile: ShopProfile,
    readonly clock: Clock,
  ) {
    this.ids = new IdAllocator(profile.domain);
    this.shopId = this.ids.next();
  }

  now(): number {
    return this.clock();
  }

  nowIso(): IsoDate {
    return new Date(this.clock()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // ---- discount codes -------------------------------------------------

  findRedeemCode(code: string): RedeemCodeRecord | undefined {
    const id = this.codeIndex.get(code.toUpperCase());
    return id === undefined ? undefined : this.redeemCodes.get(id);
  }

  isCodeTaken(code: string): boolean {
    return this.codeIndex.has(code.toUpperCase());
  }

  discountByCode(code: string): DiscountRecord | undefined {
    const redeem = this.findRedeemCode(code);
    return redeem ? this.discounts.get(redeem.discountId) : undefined;
  }

  /** Adds a redeem code to a discount. Callers validate first; this enforces uniqueness anyway. */
  addRedeemCode(discount: DiscountRecord, code: string, createdBy: AppIdentity | null = null): RedeemCodeRecord {
    if (this.isCodeTaken(code)) throw new Error(`code ${code} is already taken in ${this.profile.domain}`);
    const record: RedeemCodeRecord = {
      id: this.ids.next(),
      code,
      discountId: discount.id,
      usageCount: 0,
      createdAt: this.nowIso(),
      createdBy,
    };
    this.redeemCodes.set(record.id, record);
    this.codeIndex.set(code.toUpperCase(), record.id);
    discount.codeIds.push(record.id);
    return record;
  }

  deleteDiscount(id: string): boolean {
    const discount = this.discounts.get(id);
    if (!discount) return false;
    for (const codeId of discount.codeIds) {
      const redeem = this.redeemCodes.get(codeId);
      if (redeem) this.codeIndex.delete(redeem.code.toUpperCase());
      this.redeemCodes.delete(codeId);
    }
    this.discounts.delete(id);
    for (const [metafieldId, metafield] of this.metafields) {
      if (metafield.ownerGid.endsWith(`/DiscountCodeNode/${id}`)) this.metafields.delete(metafieldId);
    }
    return true;
  }

  discountCodes(discount: DiscountRecord): RedeemCodeRecord[] {
    const codes: RedeemCodeRecord[] = [];
    for (const id of discount.codeIds) {
      const record = this.redeemCodes.get(id);
      if (record) codes.push(record);
    }
    return codes;
  }

  discountUsageCount(discount: DiscountRecord): number {
    return this.discountCodes(discount).reduce((sum, code) => sum + code.usageCount, 0);
  }

  /** ACTIVE / SCHEDULED / EXPIRED from the clock, as Shopify derives it. */
  discountStatus(discount: DiscountRecord, at: number = this.now()): "ACTIVE" | "SCHEDULED" | "EXPIRED" {
    const now = at;
    if (Date.parse(discount.startsAt) > now) return "SCHEDULED";
    if (discount.endsAt !== null && Date.parse(discount.endsAt) <= now) return "EXPIRED";
    return "ACTIVE";
  }

  // ---- bulk redeem-code creation ----------------------------------------

  /**
   * Moves asynchronous bulk code creations forward to `now`: after a start
   * delay, `codesPerSecond` entries are imported (or fail) in order. Each code
   * is checked against the shop's codes at the moment it is processed, like
   * the real background job.
   */
  processBulkCreations(options: { startDelayMs: number; codesPerSecond: number }): void {
    const now = this.now();
    for (const bulk of this.bulkCreations.values()) {
      if (bulk.nextIndex >= bulk.entries.length) continue;
      const elapsed = now - bulk.createdAtMs - options.startDelayMs;
      if (elapsed < 0) continue;
      const due = Math.min(bulk.entries.length, Math.floor((elapsed * options.codesPerSecond) / 1000) + 1);
      const discount = this.discounts.get(bulk.discountId);
      for (; bulk.nextIndex < due; bulk.nextIndex++) {
        const entry = bulk.entries[bulk.nextIndex];
        if (!entry || entry.status !== "pending") continue;
        const problem = codeProblem(entry.code);
        if (!discount) {
          entry.status = "failed";
          entry.errors.push({ field: ["discountId"], message: "Code discount does not exist.", code: "INVALID" });
        } else if (problem) {
          entry.status = "failed";
          entry.errors.push({ field: ["code"], message: problem.message, code: problem.code });
        } else if (this.isCodeTaken(entry.code)) {
          entry.status = "failed";
          entry.errors.push({ field: ["code"], message: CODE_TAKEN_MESSAGE, code: "TAKEN" });
        } else {
          entry.status = "imported";
          entry.redeemCodeId = this.addRedeemCode(discount, entry.code, bulk.createdBy).id;
        }
      }
    }
  }

  // ---- customers --------------------------------------------------------

  /** Arranges a customer the way the storefront or the admin would create one (tests and benchmarks). */
  addCustomer(fields: { email?: string | null; firstName?: string | null; lastName?: string | null } = {}): CustomerRecord {
    const now = this.nowIso();
    const customer: CustomerRecord = {
      id: this.ids.next(),
      email: fields.email ?? null,
      firstName: fields.firstName ?? null,
      lastName: fields.lastName ?? null,
      phone: null,
      note: null,
      tags: [],
      state: "DISABLED",
      verifiedEmail: true,
      numberOfOrders: 0,
      amountSpentCents: 0,
      emailMarketing: { marketingState: "NOT_SUBSCRIBED", marketingOptInLevel: null, consentUpdatedAt: null },
      createdAt: now,
      updatedAt: now,
    };
    this.customers.set(customer.id, customer);
    return customer;
  }

  // ---- orders -----------------------------------------------------------

  allocateOrderNumber(): number {
    return this.nextOrderNumber++;
  }

  // ---- metafields -------------------------------------------------------

  metafieldsOf(ownerGid: string): MetafieldRecord[] {
    return [...this.metafields.values()].filter((m) => m.ownerGid === ownerGid);
  }

  findMetafield(ownerGid: string, namespace: string, key: string): MetafieldRecord | undefined {
    return this.metafieldIndex.find(ownerGid, namespace, key);
  }

  // ---- lookups used by several areas ------------------------------------

  collectionsOfProduct(productId: string): CollectionRecord[] {
    return [...this.collections.values()].filter((c) => c.productIds.includes(productId));
  }

  ordersOfCustomer(customerId: string): OrderRecord[] {
    return [...this.orders.values()].filter((o) => o.customerId === customerId);
  }
}
