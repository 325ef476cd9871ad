// Create and edit a pool. Submitted through a fetcher so the page stays put while the action answers with field
// errors (or redirects, when a new pool was created). Dynamic pools show their settings instead of stock options.
import { Banner, Button, ChoiceList, FormLayout, InlineStack, Text, TextField } from "@shopify/polaris";
import type { FetcherWithComponents } from "react-router";
import { useUnsavedChanges } from "../UnsavedChanges";
import { useFormBaseline } from "../use-form-baseline";
import { EMPTY_DYNAMIC_FORM, type DynamicFormField, type DynamicFormValues } from "./dynamic-form";
import type { PlatformKind } from "../../platforms/port";
import { DynamicSettingsFields, type DynamicFieldErrors } from "./DynamicSettingsFields";
import type { EmptyBehavior } from "./format";

export interface PoolFormValues {
  name: string;
  description: string;
  kind: "STATIC" | "DYNAMIC";
  lowStockThreshold: string;
  emptyBehavior: EmptyBehavior;
  fallbackCode: string;
  dynamic: DynamicFormValues;
}

export const EMPTY_POOL_FORM: PoolFormValues = {
  name: "",
  description: "",
  kind: "STATIC",
  lowStockThreshold: "",
  emptyBehavior: "SKIP_MESSAGE",
  fallbackCode: "",
  dynamic: EMPTY_DYNAMIC_FORM,
};

/**
 * What a save sends: a static pool's stock options, or a dynamic pool's code settings (the form shows and submits
 * only one of the two), and the fallback code only when it is used.
 */
export function submittedPool(values: PoolFormValues) {
  const common = { name: values.name, description: values.description, kind: values.kind };
  if (values.kind === "DYNAMIC") return { ...common, dynamic: values.dynamic };
  return {
    ...common,
    lowStockThreshold: values.lowStockThreshold,
    emptyBehavior: values.emptyBehavior,
    fallbackCode: values.emptyBehavior === "SEND_FALLBACK" ? values.fallbackCode : "",
  };
}

export type PoolFormErrorMap = Partial<Record<Exclude<keyof PoolFormValues, "dynamic"> | "form", string>> & {
  dynamic?: DynamicFieldErrors;
};

export interface PoolFormProps {
  fetcher: Pick<FetcherWithComponents<unknown>, "Form" | "state">;
  initial: PoolFormValues;
  errors?: PoolFormErrorMap | null;
  /** A pool's type is fixed once it is created. */
  kindLocked?: boolean;
  submitLabel: string;
  intent?: string;
  /** The store's platform, so the dynamic settings can say what it cannot honour. */
  platform?: PlatformKind;
  /** The answer of a successful save that kept the merchant on the page: what was sent is the new baseline. */
  saved?: unknown;
}

export function PoolForm({ fetcher, initial, errors, kindLocked = false, submitLabel, intent, platform, saved }: PoolFormProps) {
  const form = useFormBaseline(initial, { normalise: submittedPool, saved });
  const { values, setValues } = form;
  const set =
    <K extends keyof PoolFormValues>(key: K) =>
    (value: PoolFormValues[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const setDynamic = <K extends DynamicFormField>(field: K, value: DynamicFormValues[K]) =>
    setValues((v) => ({ ...v, dynamic: { ...v.dynamic, [field]: value } }));
  const submitting = fetcher.state !== "idle";
  useUnsavedChanges({ dirty: form.dirty, saving: submitting, onSave: form.submit, onDiscard: form.discard });
  const dynamic = values.kind === "DYNAMIC";

  return (
    <fetcher.Form method="post" noValidate {...form.formProps}>
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <FormLayout>
        {errors?.form ? <Banner tone="critical" title={errors.form} /> : null}
        <TextField
          label="Name"
          name="name"
          value={values.name}
          onChange={set("name")}
          autoComplete="off"
          error={errors?.name}
          helpText="Unique in this store. Customers never see it."
          maxLength={100}
        />
        <TextField
          label="Description"
          name="description"
          value={values.description}
          onChange={set("description")}
          autoComplete="off"
          multiline={2}
          error={errors?.description}
        />
        {kindLocked ? (
          <>
            <input type="hidden" name="kind" value={values.kind} />
            <Text as="p" tone="subdued">
              Type: {values.kind === "DYNAMIC" ? "Dynamic" : "Static"} (fixed once the pool is created).
            </Text>
          </>
        ) : (
          <ChoiceList
            title="Type"
            name="kind"
            selected={[values.kind]}
            onChange={(selected) => set("kind")(selected[0] === "DYNAMIC" ? "DYNAMIC" : "STATIC")}
            error={errors?.kind}
            choices={[
              {
                label: "Static",
                value: "STATIC",
                helpText: "Codes you upload or generate; each one goes to a single customer.",
              },
              {
                label: "Dynamic",
                value: "DYNAMIC",
                helpText: "A fresh code created on your store for each customer when they qualify. Never runs out.",
              },
            ]}
          />
        )}
        {dynamic ? (
          <DynamicSettingsFields values={values.dynamic} onChange={setDynamic} errors={errors?.dynamic} platform={platform} />
        ) : null}
        {dynamic ? null : (
          <>
            <TextField
              label="Low-stock alert"
              name="lowStockThreshold"
              type="number"
              min={0}
              value={values.lowStockThreshold}
              onChange={set("lowStockThreshold")}
              autoComplete="off"
              suffix="codes left"
              error={errors?.lowStockThreshold}
              helpText="Warn me (banner and one email) when this many codes or fewer are left. Leave empty to be warned only when the pool is forecast to run out within a week."
            />
            <ChoiceList
              title="When the pool is empty"
              name="emptyBehavior"
              selected={[values.emptyBehavior]}
              onChange={(selected) => set("emptyBehavior")((selected[0] ?? "SKIP_MESSAGE") as EmptyBehavior)}
              error={errors?.emptyBehavior}
              choices={[
                {
                  label: "Skip the message",
                  value: "SKIP_MESSAGE",
                  helpText: "The customer gets no message and no code.",
                },
                {
                  label: "Send a fixed fallback code",
                  value: "SEND_FALLBACK",
                  helpText: "Every customer gets the same code until you refill the pool.",
                  renderChildren: (selected: boolean) =>
                    selected ? (
                      <TextField
                        label="Fallback code"
                        name="fallbackCode"
                        value={values.fallbackCode}
                        onChange={set("fallbackCode")}
                        autoComplete="off"
                        requiredIndicator
                        error={errors?.fallbackCode}
                      />
                    ) : null,
                },
                {
                  label: "Hold the task until the pool is refilled",
                  value: "HOLD_UNTIL_REFILLED",
                  helpText: "Messages wait and go out with a code once you add more.",
                },
              ]}
            />
          </>
        )}
        <InlineStack align="end">
          <Button submit variant="primary" loading={submitting}>
            {submitLabel}
          </Button>
        </InlineStack>
      </FormLayout>
    </fetcher.Form>
  );
}
