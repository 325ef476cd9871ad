// Mandatory privacy topics. customers/redact removes everything personal we hold on the customer: the customer
// row (events, memberships, transitions, issuances cascade) and the messages we sent them (kept otherwise for
// delivery accounting, so deleted explicitly). shop/redact removes the shop and, by cascade, all its rows.
import { prisma } from "../db.server";
import type { ShopDb } from "../db/shop-scope.server";
import { customerGid } from "../domain/shopify/webhook-payloads";

export async function redactCustomer(db: ShopDb, customer: { id: string }): Promise<{ deleted: boolean }> {
  const row = await db.customer.findFirst({ where: { platformId: customerGid(customer) }, select: { id: true } });
  if (!row) return { deleted: false };
  await db.message.deleteMany({ where: { customerId: row.id } });
  await db.event.deleteMany({ where: { customerId: row.id } });
  await db.visitor.deleteMany({ where: { customerId: row.id } });
  await db.customer.delete({ where: { id: row.id } });
  return { deleted: true };
}

export async function redactShop(shopId: string): Promise<void> {
  const shop = await prisma.shop.findUnique({ where: { id: shopId }, select: { domain: true } });
  if (!shop) return;
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop: shop.domain } }),
    prisma.shop.delete({ where: { id: shopId } }),
  ]);
}
