// The headers a Magento store sends with its events (POST /magento/events); shared by the endpoint and the
// Settings page that tells merchants what to configure.

/** The shop's id, as shown in Settings > Magento. */
export const SHOP_HEADER = "x-promo-shop";
/** Base64 of HMAC-SHA256 of the raw body, keyed with the shop's events signing secret. */
export const SIGNATURE_HEADER = "x-promo-hmac-sha256";
