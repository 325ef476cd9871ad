// What Magento cannot do that merchants choose in the app's settings, in the words the admin shows them.

/** Shown with a dynamic pool's "who can use it" setting on a Magento store, and on Settings → Magento. */
export const MAGENTO_CUSTOMER_RESTRICTION_NOTE =
  "Magento cannot tie a coupon to one customer. On your Magento store each code works for anyone who has it; " +
  "it is still unique, given to one customer, and limited by its number of uses and its uses per customer.";

/** Shown with the expiry setting of a dynamic pool on a Magento store. */
export const MAGENTO_EXPIRY_NOTE =
  "Magento ends a coupon at the end of a day in your store's time zone, so a code stays valid until the end of its expiry day.";

/** Shown with "Once per customer" on a Magento store. */
export const MAGENTO_ONCE_PER_CUSTOMER_NOTE =
  "Magento counts a customer's uses per cart price rule, not per coupon, and codes issued the same day with the same " +
  "settings share one rule: a customer given two such codes can use only one of them.";
