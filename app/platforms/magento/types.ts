// The parts of Magento's REST answers the adapter reads (RuleInterface, CouponInterface, search results, stores).

export interface MagentoSearchResult<T> {
  items: T[];
  total_count: number;
}

export interface MagentoRule {
  rule_id: number;
  name: string | null;
  is_active: boolean;
  coupon_type: "NO_COUPON" | "SPECIFIC_COUPON" | "AUTO";
  use_auto_generation: boolean;
  to_date?: string | null;
  website_ids?: number[];
  customer_group_ids?: number[];
}

export interface MagentoCoupon {
  coupon_id: number;
  rule_id: number;
  code: string;
  times_used?: number;
}

export interface MagentoStoreView {
  id: number;
  code: string;
  name: string;
  website_id: number;
  store_group_id: number;
}

export interface MagentoStoreGroup {
  id: number;
  name: string;
  default_store_id: number;
}

export interface MagentoStoreConfig {
  id: number;
  code: string;
  base_currency_code?: string;
  default_display_currency_code?: string;
  timezone?: string;
}

export interface MagentoProductSummary {
  id: number;
  sku: string;
}
