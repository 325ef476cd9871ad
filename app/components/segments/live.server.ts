// What the segment page shows live and polls for: the member count, whether existing customers are still being
// counted in, how many customers wait to be evaluated, a sample of members and the latest entries and exits.
import type { ShopDb } from "../../db/shop-scope.server";
import { recentTransitions, segmentLiveStatus, segmentMembersSample } from "../../services/segments/segments.server";
import { formatDateTime } from "../pools/format";

export async function segmentLiveView(db: ShopDb, segmentId: string) {
  const [status, sample, recent] = await Promise.all([
    segmentLiveStatus(db, segmentId),
    segmentMembersSample(db, segmentId, 20),
    recentTransitions(db, segmentId, 10),
  ]);
  if (!status) return null;
  return {
    ...status,
    sample: sample.map((m) => ({
      customerId: m.customerId,
      name: m.name,
      email: m.email,
      enteredAt: formatDateTime(m.enteredAt),
      expiresAt: m.expiresAt ? formatDateTime(m.expiresAt) : null,
      products: m.triggeredProducts.map((p) => p.title ?? p.id),
    })),
    recent: recent.map((t) => ({ id: t.id, kind: t.kind, customerName: t.customerName, at: formatDateTime(t.at) })),
  };
}

export type SegmentLiveView = NonNullable<Awaited<ReturnType<typeof segmentLiveView>>>;
