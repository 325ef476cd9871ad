-- The storefront path of a product page, learned from the pixel, for {{product.url}} in templates.
ALTER TABLE "products" ADD COLUMN "url" TEXT;
