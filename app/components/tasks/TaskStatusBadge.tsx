// A task's status as a badge: waiting, done, or how it ended.
import type { TaskStatus } from "@prisma/client";
import { Badge } from "@shopify/polaris";
import { TASK_STATUS_LABELS } from "../scenarios/labels";

const TONES: Record<TaskStatus, "info" | "success" | "critical" | "attention" | undefined> = {
  PENDING: "info",
  EXECUTED: "success",
  CANCELLED: undefined,
  FAILED: "critical",
  SUCCEEDED: "success",
  CONDITIONS_NOT_MET: "attention",
};

export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  return <Badge tone={TONES[status]}>{TASK_STATUS_LABELS[status]}</Badge>;
}
