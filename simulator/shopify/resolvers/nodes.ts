/** `node(id)` / `nodes(ids)` and gid → view dispatch shared by other areas. */
import { parseGid } from "../ids";
import type { ShopStore } from "../store";
import { bulkCreationView } from "./bulk-codes";
import { bulkOperationView } from "./bulk-operations";
import type { View } from "./context";
import { customerView } from "./customers";
import { codeDiscountNodeView, discountNodeView, redeemCodeView } from "./discounts";
import { metafieldView } from "./metafields";
import { orderView } from "./orders";
import { webPixelView } from "./pixels";
import { collectionView, productView, variantView } from "./products";
import { shopView } from "./shop";

/** The view for a gid, or null when it names nothing in this shop. */
export function nodeByGid(store: ShopStore, value: string): View | null {
  const parsed = parseGid(value);
  if (!parsed) return null;
  const { type, id } = parsed;
  const lookup = <T>(map: ReadonlyMap<string, T>, make: (record: T) => View): View | null => {
    const record = map.get(id);
    return record === undefined ? null : make(record);
  };
  switch (type) {
    case "Product":
      return lookup(store.products, (r) => productView(store, r));
    case "ProductVariant":
      return lookup(store.variants, (r) => variantView(store, r));
    case "Collection":
      return lookup(store.collections, (r) => collectionView(store, r));
    case "Customer":
      return lookup(store.customers, (r) => customerView(store, r));
    case "Order":
      return lookup(store.orders, (r) => orderView(store, r));
    case "DiscountCodeNode":
      return lookup(store.discounts, (r) => codeDiscountNodeView(store, r));
    case "DiscountNode":
      return lookup(store.discounts, (r) => discountNodeView(store, r));
    case "DiscountRedeemCode":
      return lookup(store.redeemCodes, redeemCodeView);
    case "DiscountRedeemCodeBulkCreation":
      return lookup(store.bulkCreations, (r) => bulkCreationView(store, r));
    case "BulkOperation":
      return lookup(store.bulkOperations, bulkOperationView);
    case "Metafield":
      return lookup(store.metafields, (r) => metafieldView(store, r));
    case "WebPixel":
      return lookup(store.webPixels, webPixelView);
    case "Shop":
      return id === store.shopId ? shopView(store) : null;
    default:
      return null;
  }
}

export function nodeQueryFields(store: ShopStore): View {
  return {
    node: (args: { id: string }) => nodeByGid(store, args.id),
    nodes: (args: { ids: string[] }) => args.ids.map((id) => nodeByGid(store, id)),
  };
}
