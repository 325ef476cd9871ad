import { Badge } from "@shopify/polaris";
import { STATUS_LABELS, STATUS_TONES, type CodeStatus } from "./format";

export function CodeStatusBadge({ status }: { status: string }) {
  const known = status in STATUS_LABELS ? (status as CodeStatus) : null;
  if (!known) return <Badge>{status}</Badge>;
  const tone = STATUS_TONES[known];
  return tone ? <Badge tone={tone}>{STATUS_LABELS[known]}</Badge> : <Badge>{STATUS_LABELS[known]}</Badge>;
}

export function PoolKindBadge({ kind }: { kind: string }) {
  return kind === "DYNAMIC" ? <Badge tone="magic">Dynamic</Badge> : <Badge>Static</Badge>;
}

export function ImportStatusBadge({ status }: { status: string }) {
  switch (status) {
    case "SUCCEEDED":
      return <Badge tone="success">Done</Badge>;
    case "FAILED":
      return <Badge tone="critical">Failed</Badge>;
    case "RUNNING":
      return (
        <Badge tone="info" progress="partiallyComplete">
          Running
        </Badge>
      );
    default:
      return <Badge>Queued</Badge>;
  }
}
