/**
 * Local simulator of a Magento 2 / Adobe Commerce REST API (sales rules, coupons, orders, products, stores),
 * shared by the vitest suites (through msw) and the browser tests. See README.md.
 *
 *   const sim = new MagentoSimulator();
 *   sim.registerStore({ baseUrl: "https://shop.example", token: "integration-token" });
 *   server.use(...magentoRestHandlers(sim));
 */
export { MagentoSimulator, normaliseBaseUrl, RESOURCES } from "./simulator";
export type { Clock, MagentoLogEntry, MagentoOutcome, MagentoRequest, MagentoResponse, StoreRegistration } from "./simulator";
export { magentoRestHandlers, MAGENTO_REST_URL } from "./msw";
export { MagentoStore, CheckoutError, magentoDateTime, skusOf } from "./store";
export type { Condition, Coupon, Order, OrderItem, OrderState, PlaceOrderInput, Product, SalesRule, StoreView } from "./store";
export type { MagentoFault, MagentoFaultMatch } from "./faults";
export { MagentoHttpError, renderMessage } from "./errors";
export type { MagentoErrorBody } from "./errors";
export { DEFAULT_PAGE_SIZE, parseBracketQuery } from "./search-criteria";
