/**
 * Catalog: products, variants, collections, vendors and product types.
 * Read-only for now — the app reads the catalog to target discounts.
 */
import { GraphQLError } from "graphql";
import { gid, idOf } from "../ids";
import type { CollectionRecord, ProductRecord, ShopStore, VariantRecord } from "../store";
import { connection, sortBy, type PageArgs } from "./connection";
import { count, moneyV2, type View } from "./context";
import { metafieldFields } from "./metafields";
import { applySearch, type SearchSpec } from "./search";

type ListArgs = PageArgs & { query?: string | null; sortKey?: string | null };

export function productView(store: ShopStore, product: ProductRecord): View {
  const currency = store.profile.currencyCode;
  const variants = () => product.variantIds.flatMap((id) => store.variants.get(id) ?? []);
  const ownerGid = gid("Product", product.id);
  return {
    __typename: "Product",
    id: ownerGid,
    legacyResourceId: product.id,
    title: product.title,
    handle: product.handle,
    vendor: product.vendor,
    productType: product.productType,
    status: product.status,
    tags: product.tags,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    publishedAt: product.status === "ACTIVE" ? product.createdAt : null,
    onlineStoreUrl: product.status === "ACTIVE" ? `https://${store.profile.domain}/products/${product.handle}` : null,
    description: (args: { truncateAt?: number | null }) =>
      args.truncateAt ? product.description.slice(0, args.truncateAt) : product.description,
    descriptionHtml: `<p>${product.description}</p>`,
    totalInventory: variants().reduce((sum, v) => sum + v.inventoryQuantity, 0),
    hasOnlyDefaultVariant: product.variantIds.length === 1,
    variantsCount: () => count(product.variantIds.length),
    priceRangeV2: () => {
      const prices = variants().map((v) => v.priceCents);
      return {
        minVariantPrice: moneyV2(Math.min(...prices), currency),
        maxVariantPrice: moneyV2(Math.max(...prices), currency),
      };
    },
    variants: (args: ListArgs) =>
      connection(
        sortVariants(variants(), args.sortKey),
        args,
        (v) => v.id,
        (v) => variantView(store, v),
      ),
    collections: (args: ListArgs) =>
      connection(
        applySearch(collectionSearch, store.collectionsOfProduct(product.id), args.query),
        args,
        (c) => c.id,
        (c) => collectionView(store, c),
      ),
    ...metafieldFields(store, ownerGid),
  };
}

export function variantView(store: ShopStore, variant: VariantRecord): View {
  const product = store.products.get(variant.productId);
  const ownerGid = gid("ProductVariant", variant.id);
  return {
    __typename: "ProductVariant",
    id: ownerGid,
    legacyResourceId: variant.id,
    title: variant.title,
    displayName: `${product?.title ?? ""} - ${variant.title}`,
    sku: variant.sku,
    // The Money scalar is rendered with two decimals ("18.00"); Decimal is not ("18.0").
    price: (variant.priceCents / 100).toFixed(2),
    compareAtPrice: variant.compareAtPriceCents === null ? null : (variant.compareAtPriceCents / 100).toFixed(2),
    inventoryQuantity: variant.inventoryQuantity,
    availableForSale: variant.inventoryQuantity > 0 && product?.status === "ACTIVE",
    position: variant.position,
    selectedOptions: variant.options.map((o) => ({ __typename: "SelectedOption", name: o.name, value: o.value })),
    createdAt: variant.createdAt,
    updatedAt: variant.updatedAt,
    product: () => (product ? productView(store, product) : null),
    ...metafieldFields(store, ownerGid),
  };
}

export function collectionView(store: ShopStore, collection: CollectionRecord): View {
  const ownerGid = gid("Collection", collection.id);
  const products = () => collection.productIds.flatMap((id) => store.products.get(id) ?? []);
  return {
    __typename: "Collection",
    id: ownerGid,
    legacyResourceId: collection.id,
    title: collection.title,
    handle: collection.handle,
    description: (args: { truncateAt?: number | null }) =>
      args.truncateAt ? collection.description.slice(0, args.truncateAt) : collection.description,
    descriptionHtml: `<p>${collection.description}</p>`,
    sortOrder: "MANUAL",
    updatedAt: collection.updatedAt,
    productsCount: () => count(collection.productIds.length),
    products: (args: ListArgs) =>
      connection(
        products(),
        args,
        (p) => p.id,
        (p) => productView(store, p),
      ),
    ...metafieldFields(store, ownerGid),
  };
}

export const productSearch = (store: ShopStore): SearchSpec<ProductRecord> => ({
  resource: "products",
  defaultFields: ["title", "vendor", "product_type", "tag", "sku"],
  fields: {
    id: { kind: "id", get: (p) => p.id },
    title: { kind: "text", get: (p) => p.title },
    handle: { kind: "keyword", get: (p) => p.handle },
    vendor: { kind: "keyword", get: (p) => p.vendor },
    product_type: { kind: "keyword", get: (p) => p.productType },
    status: { kind: "keyword", get: (p) => p.status },
    tag: { kind: "keyword", get: (p) => p.tags },
    created_at: { kind: "date", get: (p) => p.createdAt },
    updated_at: { kind: "date", get: (p) => p.updatedAt },
    sku: { kind: "keyword", get: (p) => p.variantIds.flatMap((id) => store.variants.get(id)?.sku ?? []) },
  },
});

const collectionSearch: SearchSpec<CollectionRecord> = {
  resource: "collections",
  defaultFields: ["title"],
  fields: {
    id: { kind: "id", get: (c) => c.id },
    title: { kind: "text", get: (c) => c.title },
    handle: { kind: "keyword", get: (c) => c.handle },
    updated_at: { kind: "date", get: (c) => c.updatedAt },
  },
};

const variantSearch: SearchSpec<VariantRecord> = {
  resource: "productVariants",
  defaultFields: ["title", "sku"],
  fields: {
    id: { kind: "id", get: (v) => v.id },
    title: { kind: "text", get: (v) => v.title },
    sku: { kind: "keyword", get: (v) => v.sku },
    product_id: { kind: "id", get: (v) => v.productId },
  },
};

function unsupportedSort(resource: string, sortKey: string): GraphQLError {
  return new GraphQLError(`simulator does not model sortKey ${sortKey} for ${resource}`, {
    extensions: { code: "SIMULATOR_NOT_MODELLED" },
  });
}

function sortProducts(store: ShopStore, records: readonly ProductRecord[], sortKey: string | null | undefined) {
  switch (sortKey ?? "ID") {
    case "ID":
    case "RELEVANCE":
      return sortBy(records, () => 0);
    case "TITLE":
      return sortBy(records, (p) => p.title.toLowerCase());
    case "VENDOR":
      return sortBy(records, (p) => p.vendor.toLowerCase());
    case "PRODUCT_TYPE":
      return sortBy(records, (p) => p.productType.toLowerCase());
    case "CREATED_AT":
    case "PUBLISHED_AT":
      return sortBy(records, (p) => p.createdAt);
    case "UPDATED_AT":
      return sortBy(records, (p) => p.updatedAt);
    case "INVENTORY_TOTAL":
      return sortBy(records, (p) =>
        p.variantIds.reduce((sum, id) => sum + (store.variants.get(id)?.inventoryQuantity ?? 0), 0),
      );
    default:
      throw unsupportedSort("products", String(sortKey));
  }
}

function sortVariants(records: readonly VariantRecord[], sortKey: string | null | undefined) {
  switch (sortKey ?? "POSITION") {
    case "POSITION":
      return sortBy(records, (v) => v.position);
    case "ID":
    case "RELEVANCE":
      return sortBy(records, () => 0);
    case "TITLE":
      return sortBy(records, (v) => v.title.toLowerCase());
    case "SKU":
      return sortBy(records, (v) => v.sku ?? "");
    case "INVENTORY_QUANTITY":
      return sortBy(records, (v) => v.inventoryQuantity);
    default:
      throw unsupportedSort("productVariants", String(sortKey));
  }
}

function distinctStrings(values: readonly string[]): string[] {
  return [...new Set(values.filter((v) => v !== ""))].sort((a, b) => a.localeCompare(b));
}

function stringConnection(values: readonly string[], args: PageArgs): View {
  return connection(
    values,
    args,
    (v) => v,
    (v) => v,
  );
}

export function productQueryFields(store: ShopStore): View {
  const allProducts = () => [...store.products.values()];
  return {
    products: (args: ListArgs) =>
      connection(
        sortProducts(store, applySearch(productSearch(store), allProducts(), args.query), args.sortKey),
        args,
        (p) => p.id,
        (p) => productView(store, p),
      ),
    productsCount: (args: { query?: string | null; limit?: number | null }) =>
      count(applySearch(productSearch(store), allProducts(), args.query).length, args.limit ?? 10000),
    product: (args: { id: string }) => {
      const product = store.products.get(idOf(args.id, "Product") ?? "");
      return product ? productView(store, product) : null;
    },
    productVariant: (args: { id: string }) => {
      const variant = store.variants.get(idOf(args.id, "ProductVariant") ?? "");
      return variant ? variantView(store, variant) : null;
    },
    productVariants: (args: ListArgs) =>
      connection(
        sortVariants(applySearch(variantSearch, [...store.variants.values()], args.query), args.sortKey ?? "ID"),
        args,
        (v) => v.id,
        (v) => variantView(store, v),
      ),
    productVariantsCount: (args: { query?: string | null; limit?: number | null }) =>
      count(applySearch(variantSearch, [...store.variants.values()], args.query).length, args.limit ?? 10000),
    collections: (args: ListArgs) => {
      const filtered = applySearch(collectionSearch, [...store.collections.values()], args.query);
      const key = args.sortKey ?? "ID";
      if (!["ID", "TITLE", "UPDATED_AT", "RELEVANCE"].includes(key)) throw unsupportedSort("collections", key);
      const sorted =
        key === "TITLE"
          ? sortBy(filtered, (c) => c.title.toLowerCase())
          : key === "UPDATED_AT"
            ? sortBy(filtered, (c) => c.updatedAt)
            : sortBy(filtered, () => 0);
      return connection(
        sorted,
        args,
        (c) => c.id,
        (c) => collectionView(store, c),
      );
    },
    collectionsCount: (args: { query?: string | null; limit?: number | null }) =>
      count(applySearch(collectionSearch, [...store.collections.values()], args.query).length, args.limit ?? 10000),
    collection: (args: { id: string }) => {
      const collection = store.collections.get(idOf(args.id, "Collection") ?? "");
      return collection ? collectionView(store, collection) : null;
    },
    productVendors: (args: PageArgs) => stringConnection(distinctStrings(allProducts().map((p) => p.vendor)), args),
    productTypes: (args: PageArgs) => stringConnection(distinctStrings(allProducts().map((p) => p.productType)), args),
  };
}
