// A draft broadcast to a set of customers: a segment holding exactly them (entered a minute ago) and a BROADCAST
// campaign on it with the given actions. Tests then start and run it through the service.
import type { Prisma } from "@prisma/client";
import type { ShopDb } from "../../app/db/shop-scope.server";

export async function draftBroadcast(shop: { id: string; db: ShopDb }, customerIds: string[], actions: Prisma.InputJsonValue[], name = "Black Friday") {
  const segment = await shop.db.segment.create({ data: { shopId: shop.id, name: `${name} audience`, rules: {} } });
  await shop.db.segmentMembership.createMany({
    data: customerIds.map((customerId) => ({ shopId: shop.id, segmentId: segment.id, customerId, enteredAt: new Date(Date.now() - 60_000) })),
  });
  return shop.db.campaign.create({ data: { shopId: shop.id, name, kind: "BROADCAST", segmentId: segment.id, actions } });
}
