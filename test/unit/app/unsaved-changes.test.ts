// When an admin form counts as having unsaved edits: its values, normalised to what a save would send, differ from
// the baseline (what was loaded or last saved). Key order, a field the form does not send, or tags spaced
// differently are no change; typing a value back is none either.
import { describe, expect, it } from "vitest";
import { EMPTY_CAMPAIGN_FORM, settingsFromValues } from "../../../app/components/campaigns/CampaignForm";
import { EMPTY_TEMPLATE, submittedTemplate } from "../../../app/components/messages/template-form";
import { EMPTY_POOL_FORM, submittedPool } from "../../../app/components/pools/PoolForm";
import { snapshotOf, valuesDiffer } from "../../../app/components/use-form-baseline";

describe("the dirty comparison of admin forms", () => {
  it("compares values, not how they were built: key order and undefined properties are no change", () => {
    expect(valuesDiffer({ a: "x", b: [1, { c: true, d: "y" }] }, { b: [1, { d: "y", c: true }], a: "x" })).toBe(false);
    expect(valuesDiffer<Record<string, unknown>>({ a: "x", b: undefined }, { a: "x" })).toBe(false);
    expect(valuesDiffer({ a: "x" }, { a: "x " })).toBe(true);
    expect(valuesDiffer({ list: [1, 2] }, { list: [2, 1] })).toBe(true);
    expect(valuesDiffer("", "")).toBe(false);
  });

  it("keeps apart what JSON would merge: null and an unreadable number, a string and a number", () => {
    expect(snapshotOf(Number.NaN)).not.toBe(snapshotOf(null));
    expect(snapshotOf({ v: "1" })).not.toBe(snapshotOf({ v: 1 }));
    expect(snapshotOf([undefined])).not.toBe(snapshotOf([null]));
  });

  it("counts a pool's changes only in what the form sends for its type", () => {
    const loaded = { ...EMPTY_POOL_FORM, name: "Spring", lowStockThreshold: "10" };
    // Switching to dynamic and back, with dynamic settings touched meanwhile: the static pool sends the same.
    const back = { ...loaded, dynamic: { ...loaded.dynamic, percent: "15" } };
    expect(valuesDiffer(loaded, back, submittedPool)).toBe(false);
    // A fallback code typed, then another behaviour chosen: it is not sent.
    expect(valuesDiffer(loaded, { ...loaded, fallbackCode: "SORRY" }, submittedPool)).toBe(false);
    expect(valuesDiffer(loaded, { ...loaded, emptyBehavior: "SEND_FALLBACK", fallbackCode: "SORRY" }, submittedPool)).toBe(true);
    expect(valuesDiffer(loaded, { ...loaded, lowStockThreshold: "11" }, submittedPool)).toBe(true);
    // A dynamic pool's stock options are not sent, its settings are.
    const dynamic = { ...loaded, kind: "DYNAMIC" as const };
    expect(valuesDiffer(dynamic, { ...dynamic, lowStockThreshold: "3" }, submittedPool)).toBe(false);
    expect(valuesDiffer(dynamic, { ...dynamic, dynamic: { ...dynamic.dynamic, percent: "15" } }, submittedPool)).toBe(true);
  });

  it("ignores an SMS template's leftover subject, and tags spaced differently in a campaign", () => {
    const sms = { ...EMPTY_TEMPLATE, channel: "SMS" as const, body: "Hi" };
    expect(valuesDiffer(sms, { ...sms, subject: "Left from email" }, submittedTemplate)).toBe(false);
    expect(valuesDiffer(EMPTY_TEMPLATE, { ...EMPTY_TEMPLATE, subject: "Other" }, submittedTemplate)).toBe(true);

    const tagged = { ...EMPTY_CAMPAIGN_FORM, actions: [{ ...EMPTY_CAMPAIGN_FORM.actions[0]!, type: "add_tags" as const, tags: "a,b" }] };
    const spaced = { ...tagged, actions: [{ ...tagged.actions[0]!, tags: "a, b " }] };
    expect(valuesDiffer(tagged, spaced, settingsFromValues)).toBe(false);
    expect(valuesDiffer(tagged, { ...tagged, actions: [{ ...tagged.actions[0]!, tags: "a, c" }] }, settingsFromValues)).toBe(true);
  });
});
