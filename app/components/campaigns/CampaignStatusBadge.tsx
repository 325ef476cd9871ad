import { Badge } from "@shopify/polaris";

const TONES = { DRAFT: undefined, ACTIVE: "success", PAUSED: "attention", STOPPED: "critical" } as const;
const LABELS = { DRAFT: "Draft", ACTIVE: "Active", PAUSED: "Paused", STOPPED: "Stopped" } as const;

export function CampaignStatusBadge({ status }: { status: keyof typeof LABELS }) {
  const tone = TONES[status];
  return tone ? <Badge tone={tone}>{LABELS[status]}</Badge> : <Badge>{LABELS[status]}</Badge>;
}
