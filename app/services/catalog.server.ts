// The products segment conditions read (vendor, type, collections, SKUs) and templates show (title, vendor, page
// link), learned from what the storefront shows: every pixel event that names a product carries its title, vendor,
// type and page path, and a collection page lists products of that collection. Nothing here removes a product from a collection: a page view only proves membership.
import type { ShopDb } from "../db/shop-scope.server";

export interface ProductFacts {
  platformId: string;
  title: string | null;
  vendor: string | null;
  productType: string | null;
  /** The storefront path of its page (pixel-batch's STOREFRONT_PATH), or null when not seen. */
  url: string | null;
  collectionIds: string[];
  skus: string[];
}

/** Several events in one batch can name the same product: one row each, facts merged (later non-null wins). */
export function mergeProductFacts(facts: ProductFacts[]): ProductFacts[] {
  const byId = new Map<string, ProductFacts>();
  for (const f of facts) {
    const known = byId.get(f.platformId);
    if (!known) {
      byId.set(f.platformId, { ...f, collectionIds: [...new Set(f.collectionIds)], skus: [...new Set(f.skus)] });
      continue;
    }
    known.title = f.title ?? known.title;
    known.vendor = f.vendor ?? known.vendor;
    known.productType = f.productType ?? known.productType;
    known.url = f.url ?? known.url;
    known.collectionIds = [...new Set([...known.collectionIds, ...f.collectionIds])];
    known.skus = [...new Set([...known.skus, ...f.skus])];
  }
  return [...byId.values()];
}

/**
 * Upserts products in one statement. Known facts are kept when an event lacks them (a cart line without a
 * vendor does not erase the vendor), and collections and SKUs only accumulate. Raw SQL for the array union;
 * shop_id is named explicitly, as every raw query in app/services does.
 */
export async function upsertProducts(db: ShopDb, shopId: string, facts: ProductFacts[]): Promise<number> {
  const rows = mergeProductFacts(facts);
  if (rows.length === 0) return 0;
  const json = JSON.stringify(
    rows.map((r) => ({
      platform_id: r.platformId,
      title: r.title,
      vendor: r.vendor,
      product_type: r.productType,
      url: r.url,
      collection_ids: r.collectionIds,
      skus: r.skus,
    })),
  );
  return db.$executeRaw`
    INSERT INTO products (id, shop_id, platform_id, title, vendor, product_type, url, collection_ids, skus, updated_at)
    SELECT gen_random_uuid(), ${shopId}::uuid, p.platform_id, p.title, p.vendor, p.product_type, p.url,
           COALESCE(p.collection_ids, '{}'), COALESCE(p.skus, '{}'), now()
      FROM jsonb_to_recordset(${json}::jsonb)
        AS p(platform_id text, title text, vendor text, product_type text, url text, collection_ids text[], skus text[])
    ON CONFLICT (shop_id, platform_id) DO UPDATE SET
      title = COALESCE(EXCLUDED.title, products.title),
      vendor = COALESCE(EXCLUDED.vendor, products.vendor),
      product_type = COALESCE(EXCLUDED.product_type, products.product_type),
      url = COALESCE(EXCLUDED.url, products.url),
      collection_ids = ARRAY(SELECT DISTINCT c FROM unnest(products.collection_ids || EXCLUDED.collection_ids) AS c ORDER BY c),
      skus = ARRAY(SELECT DISTINCT s FROM unnest(products.skus || EXCLUDED.skus) AS s ORDER BY s),
      updated_at = now()
    WHERE products.shop_id = ${shopId}::uuid`;
}

export async function findProduct(db: ShopDb, platformId: string) {
  return db.product.findFirst({ where: { platformId } });
}
