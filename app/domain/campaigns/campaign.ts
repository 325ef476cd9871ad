// Segment-triggered campaigns: who they run for (entries into one segment, once per customer or on every entry,
// optionally the members already there) and the ordered actions each run performs. Pure validation; the campaign
// service runs the actions.
import { z } from "zod";

export const CampaignAction = z.discriminatedUnion("type", [
  /** Static or dynamic pool; dynamic codes are restricted to the products that made the customer enter. */
  z.object({ type: z.literal("issue_code"), poolId: z.uuid("Pick a pool") }),
  z.object({ type: z.literal("send_message"), templateId: z.uuid("Pick a message template") }),
  z.object({
    type: z.literal("add_tags"),
    tags: z
      .array(z.string().trim().min(1, "A tag can't be empty").max(255, "Tags are at most 255 characters").regex(/^[^,]+$/, "A tag can't contain a comma"))
      .min(1, "Add at least one tag")
      .max(20, "At most 20 tags"),
  }),
  /** Writes the run's code to a customer metafield so Shopify Email, Klaviyo or any tool reading metafields can use it. */
  z.object({
    type: z.literal("write_metafield"),
    namespace: z
      .string()
      .trim()
      .regex(/^[a-zA-Z0-9_-]{3,255}$/, "3 to 255 letters, digits, - or _")
      .default("promo_codes"),
    key: z
      .string()
      .trim()
      .regex(/^[a-zA-Z0-9_-]{2,64}$/, "2 to 64 letters, digits, - or _")
      .default("last_code"),
  }),
  /** Fires the app's Shopify Flow trigger "promo code issued" with code, pool, expiry and customer. */
  z.object({ type: z.literal("flow_trigger") }),
]);
export type CampaignAction = z.infer<typeof CampaignAction>;

/** The actions that call the store's Admin API for one customer (tags, metafield, Flow). */
export const SHOPIFY_ACTION_TYPES: readonly CampaignAction["type"][] = ["add_tags", "write_metafield", "flow_trigger"];

/**
 * A broadcast gives each member one message (and at most one code, as every campaign), in one pass over the
 * segment; its Shopify actions then run per member. Two messages per member is what an automated campaign is for.
 */
export function broadcastActionsProblem(actions: readonly CampaignAction[]): string | null {
  if (actions.filter((a) => a.type === "send_message").length > 1) return "A broadcast sends one message per member: keep one message action";
  return null;
}

const USES_CODE = new Set<CampaignAction["type"]>(["send_message", "write_metafield", "flow_trigger"]);

export const CampaignSettings = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(200, "At most 200 characters"),
    segmentId: z.uuid("Pick a segment"),
    /** Off: once per customer ever. On: every time the customer enters the segment again. */
    repeatOnReentry: z.boolean().default(false),
    /** Also run for customers already in the segment when the campaign starts. */
    includeExisting: z.boolean().default(true),
    actions: z.array(CampaignAction).min(1, "Add at least one action").max(10, "At most 10 actions"),
  })
  .superRefine((c, ctx) => {
    const issues = c.actions.filter((a) => a.type === "issue_code").length;
    if (issues > 1) ctx.addIssue({ code: "custom", path: ["actions"], message: "Issue at most one code per run" });
    const firstIssue = c.actions.findIndex((a) => a.type === "issue_code");
    c.actions.forEach((action, index) => {
      if (action.type === "write_metafield" || action.type === "flow_trigger") {
        if (firstIssue === -1 || firstIssue > index) {
          ctx.addIssue({ code: "custom", path: ["actions", index], message: "Issue a code before this action: it passes the code on" });
        }
      }
      if (action.type === "send_message" && firstIssue > index) {
        ctx.addIssue({ code: "custom", path: ["actions", index], message: "Issue the code before the message that sends it" });
      }
    });
  });
export type CampaignSettings = z.infer<typeof CampaignSettings>;
export type CampaignSettingsInput = z.input<typeof CampaignSettings>;

export function actionUsesCode(action: CampaignAction): boolean {
  return USES_CODE.has(action.type);
}

/**
 * The key that makes a campaign run at most once per customer (or once per entry when it repeats on re-entry):
 * a redelivered or re-swept entry finds the run it already started.
 */
export function campaignRunKey(campaignId: string, customerId: string, entry: { repeatOnReentry: boolean; transitionId: string | null }): string {
  return entry.repeatOnReentry && entry.transitionId
    ? `campaign:${campaignId}:${customerId}:${entry.transitionId}`
    : `campaign:${campaignId}:${customerId}`;
}

export function actionLabel(action: CampaignAction): string {
  switch (action.type) {
    case "issue_code":
      return "Issue a code";
    case "send_message":
      return "Send a message";
    case "add_tags":
      return `Tag the customer: ${action.tags.join(", ")}`;
    case "write_metafield":
      return `Write the code to ${action.namespace}.${action.key}`;
    case "flow_trigger":
      return "Start Shopify Flow: promo code issued";
  }
}
