// The scenario form: every option a scenario has, with each error next to its field. The values travel as one JSON
// field (the form has lists of actions and sets of conditions, which flat form fields describe poorly) through a
// fetcher, so the page stays put while the action answers with errors or redirects.
import {
  Banner,
  BlockStack,
  Box,
  Button,
  ButtonGroup,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import type { FetcherWithComponents } from "react-router";
import {
  CANCEL_CONDITIONS,
  DELIVERY_TYPES,
  ORDER_SOURCES,
  SCENARIO_TRIGGERS,
  SUCCESS_CONDITIONS,
  type CancelCondition,
  type DeliveryType,
  type OrderSource,
  type ScenarioTrigger,
  type SuccessCondition,
} from "../../domain/scenarios/scenario";
import { TIME_UNITS, type TimeUnit } from "../../domain/time";
import {
  CANCEL_CONDITION_LABELS,
  DELIVERY_TYPE_LABELS,
  ORDER_SOURCE_LABELS,
  SUCCESS_CONDITION_LABELS,
  TRIGGER_LABELS,
  UNIT_LABELS,
} from "./labels";
import { useUnsavedChanges } from "../UnsavedChanges";
import { useFormBaseline } from "../use-form-baseline";
import { errorFor, type ActionValues, type FormErrors, type ScenarioFormValues } from "./scenario-form";

export interface PickerOptions {
  pools: { id: string; name: string; kind: "STATIC" | "DYNAMIC" }[];
  templates: { id: string; name: string; channel: string }[];
}

export interface ScenarioFormProps {
  fetcher: Pick<FetcherWithComponents<unknown>, "Form" | "state">;
  initial: ScenarioFormValues;
  errors?: FormErrors | null;
  pickers: PickerOptions;
  submitLabel: string;
  /** The scenario page switches it on and off with its own button, so its form leaves `active` alone. */
  showActive?: boolean;
  /** The answer of a successful save that kept the merchant on the page: what was sent is the new baseline. */
  saved?: unknown;
}

const UNIT_OPTIONS = TIME_UNITS.map((u) => ({ label: UNIT_LABELS[u], value: u }));

function DurationField({
  label,
  value,
  unit,
  onValue,
  onUnit,
  error,
  helpText,
  unitLabel,
}: {
  label: string;
  value: string;
  unit: TimeUnit;
  onValue: (v: string) => void;
  onUnit: (u: TimeUnit) => void;
  error?: string;
  helpText?: string;
  unitLabel: string;
}) {
  return (
    <TextField
      label={label}
      type="number"
      min={0}
      value={value}
      onChange={onValue}
      autoComplete="off"
      error={error}
      helpText={helpText}
      connectedRight={<Select label={unitLabel} labelHidden options={UNIT_OPTIONS} value={unit} onChange={(u) => onUnit(u as TimeUnit)} />}
    />
  );
}

function ActionEditor({
  action,
  index,
  count,
  errors,
  pickers,
  onChange,
  onMove,
  onRemove,
}: {
  action: ActionValues;
  index: number;
  count: number;
  errors: FormErrors | null | undefined;
  pickers: PickerOptions;
  onChange: (next: ActionValues) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
}) {
  const step = `Step ${index + 1}`;
  const header = (
    <InlineStack align="space-between" blockAlign="center">
      <Text as="h3" variant="headingSm">
        {step}: {action.type === "generate_code" ? "Generate a code" : "Send a message"}
      </Text>
      <ButtonGroup>
        <Button size="slim" disabled={index === 0} onClick={() => onMove(-1)} accessibilityLabel={`Move step ${index + 1} up`}>
          Up
        </Button>
        <Button size="slim" disabled={index === count - 1} onClick={() => onMove(1)} accessibilityLabel={`Move step ${index + 1} down`}>
          Down
        </Button>
        <Button size="slim" tone="critical" onClick={onRemove} accessibilityLabel={`Remove step ${index + 1}`}>
          Remove
        </Button>
      </ButtonGroup>
    </InlineStack>
  );
  if (action.type === "send_message") {
    return (
      <BlockStack gap="200">
        {header}
        <Select
          label={`${step}: message template`}
          options={[{ label: "Pick a template", value: "" }, ...pickers.templates.map((t) => ({ label: `${t.name} (${t.channel.toLowerCase()})`, value: t.id }))]}
          value={action.templateId}
          onChange={(templateId) => onChange({ ...action, templateId })}
          error={errorFor(errors, `actions.${index}.templateId`)}
          helpText={pickers.templates.length === 0 ? "No templates yet: create one on the Messages page." : "The message shows the code generated in an earlier step."}
        />
      </BlockStack>
    );
  }
  const pool = pickers.pools.find((p) => p.id === action.poolId);
  return (
    <BlockStack gap="200">
      {header}
      <Select
        label={`${step}: pool`}
        options={[
          { label: "Pick a pool", value: "" },
          ...pickers.pools.map((p) => ({ label: `${p.name} (${p.kind === "DYNAMIC" ? "dynamic" : "static"})`, value: p.id })),
        ]}
        value={action.poolId}
        onChange={(poolId) => onChange({ ...action, poolId })}
        error={errorFor(errors, `actions.${index}.poolId`)}
      />
      <Checkbox
        label={`${step}: the code expires after a set time from execution`}
        checked={action.expiryEnabled}
        onChange={(expiryEnabled) => onChange({ ...action, expiryEnabled })}
        helpText={
          pool?.kind === "STATIC"
            ? "Static codes keep the expiry they were uploaded with; this applies to dynamic pools."
            : "Counted from the moment the task runs. Without it, the pool's own expiry applies."
        }
        error={action.expiryEnabled ? undefined : errorFor(errors, `actions.${index}.expiry`)}
      />
      {action.expiryEnabled ? (
        <DurationField
          label={`${step}: expires after`}
          unitLabel={`${step}: expiry unit`}
          value={action.expiryValue}
          unit={action.expiryUnit}
          onValue={(expiryValue) => onChange({ ...action, expiryValue })}
          onUnit={(expiryUnit) => onChange({ ...action, expiryUnit })}
          error={errorFor(errors, `actions.${index}.expiry`)}
        />
      ) : null}
    </BlockStack>
  );
}

export function ScenarioForm({ fetcher, initial, errors, pickers, submitLabel, showActive = true, saved }: ScenarioFormProps) {
  const form = useFormBaseline(initial, { saved });
  const { values, setValues } = form;
  const set =
    <K extends keyof ScenarioFormValues>(key: K) =>
    (value: ScenarioFormValues[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const orderless = values.trigger === "customer_created";
  const submitting = fetcher.state !== "idle";
  useUnsavedChanges({ dirty: form.dirty, saving: submitting, onSave: form.submit, onDiscard: form.discard });

  const setAction = (index: number, next: ActionValues) => setValues((v) => ({ ...v, actions: v.actions.map((a, i) => (i === index ? next : a)) }));
  const moveAction = (index: number, delta: -1 | 1) =>
    setValues((v) => {
      const actions = [...v.actions];
      const [moved] = actions.splice(index, 1);
      actions.splice(index + delta, 0, moved!);
      return { ...v, actions };
    });
  const removeAction = (index: number) => setValues((v) => ({ ...v, actions: v.actions.filter((_, i) => i !== index) }));
  const addAction = (action: ActionValues) => setValues((v) => ({ ...v, actions: [...v.actions, action] }));

  return (
    <fetcher.Form method="post" noValidate {...form.formProps}>
      <input type="hidden" name="intent" value="save" />
      <input type="hidden" name="settings" value={JSON.stringify(values)} />
      <BlockStack gap="400">
        {errors?.form ? <Banner tone="critical" title={errors.form} /> : null}
        {errors && Object.keys(errors).length > 0 && !errors.form ? (
          <Banner tone="critical" title="Some settings need your attention">
            <p>Each problem is shown next to its field below.</p>
          </Banner>
        ) : null}
        <Card>
          <FormLayout>
            <TextField label="Name" value={values.name} onChange={set("name")} autoComplete="off" error={errorFor(errors, "name")} helpText="For you; customers never see it." maxLength={200} />
            {showActive ? (
              <Checkbox
                label="Active"
                checked={values.active}
                onChange={set("active")}
                helpText="An inactive scenario starts no new tasks; tasks it already started still run."
              />
            ) : null}
            <Select
              label="Trigger"
              options={SCENARIO_TRIGGERS.map((t) => ({ label: TRIGGER_LABELS[t], value: t }))}
              value={values.trigger}
              onChange={(t) => set("trigger")(t as ScenarioTrigger)}
              error={errorFor(errors, "trigger")}
            />
          </FormLayout>
        </Card>

        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Order limits
            </Text>
            {orderless ? (
              <Text as="p" tone="subdued">
                Customer creation has no order, so order limits do not apply.
              </Text>
            ) : (
              <FormLayout>
                {errors?.limits ? <Banner tone="critical" title={errors.limits} /> : null}
                <ChoiceList
                  allowMultiple
                  title="Order source (none picked: any)"
                  choices={ORDER_SOURCES.map((s) => ({ label: ORDER_SOURCE_LABELS[s], value: s }))}
                  selected={values.orderSources}
                  onChange={(s) => set("orderSources")(s as OrderSource[])}
                  error={errorFor(errors, "limits.orderSources")}
                />
                <ChoiceList
                  allowMultiple
                  title="Delivery type (none picked: any)"
                  choices={DELIVERY_TYPES.map((d) => ({ label: DELIVERY_TYPE_LABELS[d], value: d }))}
                  selected={values.deliveryTypes}
                  onChange={(d) => set("deliveryTypes")(d as DeliveryType[])}
                  error={errorFor(errors, "limits.deliveryTypes")}
                />
                <FormLayout.Group>
                  <TextField
                    label="Minimum order price"
                    type="number"
                    min={0}
                    value={values.minOrderPrice}
                    onChange={set("minOrderPrice")}
                    autoComplete="off"
                    error={errorFor(errors, "limits.minOrderPrice")}
                  />
                  <TextField
                    label="Maximum order price"
                    type="number"
                    min={0}
                    value={values.maxOrderPrice}
                    onChange={set("maxOrderPrice")}
                    autoComplete="off"
                    error={errorFor(errors, "limits.maxOrderPrice")}
                  />
                </FormLayout.Group>
              </FormLayout>
            )}
          </BlockStack>
        </Card>

        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              When and how often
            </Text>
            <FormLayout>
              <DurationField
                label="Delay"
                unitLabel="Delay unit"
                value={values.delayValue}
                unit={values.delayUnit}
                onValue={set("delayValue")}
                onUnit={set("delayUnit")}
                error={errorFor(errors, "delay")}
                helpText="How long after the trigger the actions run. 0 runs them at once."
              />
              <Checkbox label="Execute only once per order" checked={values.oncePerOrder} onChange={set("oncePerOrder")} />
              <Checkbox label="Execute only once per customer" checked={values.oncePerUser} onChange={set("oncePerUser")} />
            </FormLayout>
          </BlockStack>
        </Card>

        <Card>
          <ChoiceList
            allowMultiple
            title="Cancel a task that is still waiting when"
            choices={CANCEL_CONDITIONS.map((c) => ({
              label: CANCEL_CONDITION_LABELS[c],
              value: c,
              disabled: orderless && c !== "new_order",
            }))}
            selected={values.cancelConditions}
            onChange={(c) => set("cancelConditions")(c as CancelCondition[])}
            error={errorFor(errors, "cancelConditions")}
          />
        </Card>

        <Card>
          <BlockStack gap="300">
            <Checkbox
              label="Track success"
              checked={values.successEnabled}
              onChange={set("successEnabled")}
              helpText="After the actions run, wait for one of these; the task ends as “Successfully completed” or “Conditions not met”."
            />
            {values.successEnabled ? (
              <FormLayout>
                <ChoiceList
                  allowMultiple
                  title="Success conditions"
                  choices={SUCCESS_CONDITIONS.map((c) => ({ label: SUCCESS_CONDITION_LABELS[c], value: c, disabled: orderless && c === "order_review" }))}
                  selected={values.successConditions}
                  onChange={(c) => set("successConditions")(c as SuccessCondition[])}
                  error={errorFor(errors, "success.conditions")}
                />
                <DurationField
                  label="Waiting time"
                  unitLabel="Waiting time unit"
                  value={values.waitValue}
                  unit={values.waitUnit}
                  onValue={set("waitValue")}
                  onUnit={set("waitUnit")}
                  error={errorFor(errors, "success.wait")}
                />
              </FormLayout>
            ) : null}
          </BlockStack>
        </Card>

        <Card>
          <BlockStack gap="400">
            <BlockStack gap="100">
              <Text as="h2" variant="headingMd">
                Actions
              </Text>
              <Text as="p" tone="subdued">
                Run in order. Generate the code before the message that sends it.
              </Text>
            </BlockStack>
            {errors?.actions ? <Banner tone="critical" title={errors.actions} /> : null}
            {values.actions.map((action, index) => (
              <Box key={index} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
                <ActionEditor
                  action={action}
                  index={index}
                  count={values.actions.length}
                  errors={errors}
                  pickers={pickers}
                  onChange={(next) => setAction(index, next)}
                  onMove={(delta) => moveAction(index, delta)}
                  onRemove={() => removeAction(index)}
                />
              </Box>
            ))}
            <InlineStack gap="200">
              <Button
                onClick={() => addAction({ type: "generate_code", poolId: "", expiryEnabled: false, expiryValue: "30", expiryUnit: "day" })}
                disabled={values.actions.length >= 10}
              >
                Add code generation
              </Button>
              <Button onClick={() => addAction({ type: "send_message", templateId: "" })} disabled={values.actions.length >= 10}>
                Add message
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>

        <InlineStack align="end">
          <Button submit variant="primary" loading={submitting}>
            {submitLabel}
          </Button>
        </InlineStack>
      </BlockStack>
    </fetcher.Form>
  );
}
