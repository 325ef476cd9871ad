import { describe, expect, it } from "vitest";
import { CampaignSettings, campaignRunKey, type CampaignSettingsInput } from "../../../app/domain/campaigns/campaign";

const SEGMENT = "33333333-3333-4333-8333-333333333333";
const POOL = "11111111-1111-4111-8111-111111111111";
const TEMPLATE = "22222222-2222-4222-8222-222222222222";

function parse(overrides: Partial<CampaignSettingsInput> = {}) {
  return CampaignSettings.safeParse({
    name: "Viewed twice",
    segmentId: SEGMENT,
    actions: [
      { type: "issue_code", poolId: POOL },
      { type: "send_message", templateId: TEMPLATE },
    ],
    ...overrides,
  });
}

function problems(result: ReturnType<typeof parse>): string[] {
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("campaign settings", () => {
  it("GIVEN the essentials WHEN parsed THEN it runs once per customer and includes current members", () => {
    const result = parse();
    expect(result.success && result.data).toMatchObject({ repeatOnReentry: false, includeExisting: true });
  });

  it("GIVEN a metafield action WHEN parsed THEN its namespace and key default to promo_codes.last_code", () => {
    const result = parse({ actions: [{ type: "issue_code", poolId: POOL }, { type: "write_metafield" } as never] });
    expect(result.success && result.data.actions[1]).toEqual({ type: "write_metafield", namespace: "promo_codes", key: "last_code" });
  });

  it.each([
    [[{ type: "send_message", templateId: TEMPLATE }, { type: "issue_code", poolId: POOL }], "actions.0: Issue the code before the message that sends it"],
    [[{ type: "flow_trigger" }], "actions.0: Issue a code before this action: it passes the code on"],
    [[{ type: "write_metafield", namespace: "ok_ns", key: "k" }], "actions.0: Issue a code before this action: it passes the code on"],
    [[{ type: "issue_code", poolId: POOL }, { type: "issue_code", poolId: POOL }], "actions: Issue at most one code per run"],
    [[{ type: "add_tags", tags: ["a,b"] }], "actions.0.tags.0: A tag can't contain a comma"],
    [[{ type: "add_tags", tags: [] }], "actions.0.tags: Add at least one tag"],
    [[], "actions: Add at least one action"],
  ])("GIVEN actions %j WHEN parsed THEN %s", (actions, message) => {
    expect(problems(parse({ actions: actions as never }))).toContain(message);
  });

  it("GIVEN a message without a code WHEN parsed THEN it is allowed (a plain message campaign)", () => {
    expect(parse({ actions: [{ type: "send_message", templateId: TEMPLATE }] }).success).toBe(true);
  });

  it("GIVEN repeat on re-entry WHEN two entries run THEN their keys differ; without it they collide", () => {
    const once = (t: string) => campaignRunKey("camp", "cust", { repeatOnReentry: false, transitionId: t });
    const each = (t: string) => campaignRunKey("camp", "cust", { repeatOnReentry: true, transitionId: t });
    expect(once("1")).toBe(once("2"));
    expect(each("1")).not.toBe(each("2"));
  });
});
