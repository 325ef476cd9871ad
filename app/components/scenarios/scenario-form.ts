// The scenario form's values (what the inputs hold: text for numbers, a switch for optional parts) and their
// translation to and from the domain's settings. The browser posts the values as JSON; the action reads them back
// with readFormValues, turns them into settings input, and the service validates. Numbers that are not numbers are
// caught here, with the same field keys the domain uses, so every error lands next to its field.
import { z } from "zod";
import {
  CANCEL_CONDITIONS,
  DELIVERY_TYPES,
  ORDER_SOURCES,
  SCENARIO_TRIGGERS,
  SUCCESS_CONDITIONS,
  type ScenarioSettings,
  type ScenarioSettingsInput,
} from "../../domain/scenarios/scenario";
import { TIME_UNITS } from "../../domain/time";

const ActionValues = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("generate_code"),
    poolId: z.string(),
    expiryEnabled: z.boolean(),
    expiryValue: z.string(),
    expiryUnit: z.enum(TIME_UNITS),
  }),
  z.object({ type: z.literal("send_message"), templateId: z.string() }),
]);
export type ActionValues = z.infer<typeof ActionValues>;

const FormValues = z.object({
  name: z.string(),
  active: z.boolean(),
  trigger: z.enum(SCENARIO_TRIGGERS),
  orderSources: z.array(z.enum(ORDER_SOURCES)),
  deliveryTypes: z.array(z.enum(DELIVERY_TYPES)),
  minOrderPrice: z.string(),
  maxOrderPrice: z.string(),
  delayValue: z.string(),
  delayUnit: z.enum(TIME_UNITS),
  oncePerOrder: z.boolean(),
  oncePerUser: z.boolean(),
  cancelConditions: z.array(z.enum(CANCEL_CONDITIONS)),
  successEnabled: z.boolean(),
  successConditions: z.array(z.enum(SUCCESS_CONDITIONS)),
  waitValue: z.string(),
  waitUnit: z.enum(TIME_UNITS),
  actions: z.array(ActionValues).max(10),
});
export type ScenarioFormValues = z.infer<typeof FormValues>;

export type FormErrors = Record<string, string>;

export const EMPTY_SCENARIO_FORM: ScenarioFormValues = {
  name: "",
  active: true,
  trigger: "order_paid",
  orderSources: [],
  deliveryTypes: [],
  minOrderPrice: "",
  maxOrderPrice: "",
  delayValue: "0",
  delayUnit: "day",
  oncePerOrder: true,
  oncePerUser: false,
  cancelConditions: [],
  successEnabled: false,
  successConditions: ["new_order"],
  waitValue: "14",
  waitUnit: "day",
  actions: [
    { type: "generate_code", poolId: "", expiryEnabled: false, expiryValue: "30", expiryUnit: "day" },
    { type: "send_message", templateId: "" },
  ],
};

export function formValuesOf(settings: ScenarioSettings): ScenarioFormValues {
  return {
    name: settings.name,
    active: settings.active,
    trigger: settings.trigger,
    orderSources: settings.limits.orderSources,
    deliveryTypes: settings.limits.deliveryTypes,
    minOrderPrice: settings.limits.minOrderPrice === null ? "" : String(settings.limits.minOrderPrice),
    maxOrderPrice: settings.limits.maxOrderPrice === null ? "" : String(settings.limits.maxOrderPrice),
    delayValue: String(settings.delay.value),
    delayUnit: settings.delay.unit,
    oncePerOrder: settings.oncePerOrder,
    oncePerUser: settings.oncePerUser,
    cancelConditions: settings.cancelConditions,
    successEnabled: settings.success !== null,
    successConditions: settings.success?.conditions ?? ["new_order"],
    waitValue: String(settings.success?.wait.value ?? 14),
    waitUnit: settings.success?.wait.unit ?? "day",
    actions: settings.actions.map((a) =>
      a.type === "generate_code"
        ? { type: a.type, poolId: a.poolId, expiryEnabled: a.expiry !== null, expiryValue: String(a.expiry?.value ?? 30), expiryUnit: a.expiry?.unit ?? "day" }
        : { type: a.type, templateId: a.templateId },
    ),
  };
}

/** The posted JSON, or null when it is not the form's shape (a stale page, a hand-made request). */
export function readFormValues(raw: FormDataEntryValue | null): ScenarioFormValues | null {
  if (typeof raw !== "string") return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = FormValues.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function wholeNumber(text: string, key: string, errors: FormErrors): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    // "-3" is a whole number: say what is wrong with it.
    errors[key] = /^-\d+$/.test(trimmed) ? "Use 0 or more" : "Enter a whole number";
    return 0;
  }
  return Number(trimmed);
}

function price(text: string, key: string, errors: FormErrors): number | null {
  const trimmed = text.trim().replace(",", ".");
  if (trimmed === "") return null;
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) {
    errors[key] = "Enter an amount like 50 or 49.90, or leave it empty";
    return null;
  }
  return Number(trimmed);
}

/** The settings the values describe, and the errors of numbers that could not be read. */
export function settingsInputOf(values: ScenarioFormValues): { input: ScenarioSettingsInput; errors: FormErrors } {
  const errors: FormErrors = {};
  const input: ScenarioSettingsInput = {
    name: values.name,
    active: values.active,
    trigger: values.trigger,
    limits: {
      orderSources: values.orderSources,
      deliveryTypes: values.deliveryTypes,
      minOrderPrice: price(values.minOrderPrice, "limits.minOrderPrice", errors),
      maxOrderPrice: price(values.maxOrderPrice, "limits.maxOrderPrice", errors),
    },
    delay: { value: wholeNumber(values.delayValue, "delay.value", errors), unit: values.delayUnit },
    oncePerOrder: values.oncePerOrder,
    oncePerUser: values.oncePerUser,
    cancelConditions: values.cancelConditions,
    success: values.successEnabled
      ? { conditions: values.successConditions, wait: { value: wholeNumber(values.waitValue, "success.wait.value", errors), unit: values.waitUnit } }
      : null,
    actions: values.actions.map((a, index) =>
      a.type === "generate_code"
        ? {
            type: a.type,
            poolId: a.poolId,
            expiry: a.expiryEnabled ? { value: wholeNumber(a.expiryValue, `actions.${index}.expiry.value`, errors), unit: a.expiryUnit } : null,
          }
        : { type: a.type, templateId: a.templateId },
    ),
  };
  return { input, errors };
}

/** The message to show next to a field: its own error, or one about a part of it. */
export function errorFor(errors: FormErrors | null | undefined, key: string): string | undefined {
  if (!errors) return undefined;
  if (errors[key]) return errors[key];
  const nested = Object.keys(errors).find((k) => k.startsWith(`${key}.`));
  return nested ? errors[nested] : undefined;
}
