// Create and edit a segment-triggered campaign or a broadcast: the segment (with its current member count), how
// often a customer gets a run, and the ordered actions. The form keeps its state in React and submits it as one
// JSON field; the action answers with errors keyed by path ("actions.1.poolId"), shown next to their field.
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import type { FetcherWithComponents } from "react-router";
import { useUnsavedChanges } from "../UnsavedChanges";
import { useFormBaseline } from "../use-form-baseline";

export type ActionType = "issue_code" | "send_message" | "add_tags" | "write_metafield" | "flow_trigger";

export interface ActionValues {
  type: ActionType;
  poolId: string;
  templateId: string;
  tags: string;
  namespace: string;
  key: string;
}

export interface CampaignFormValues {
  name: string;
  segmentId: string;
  repeatOnReentry: boolean;
  includeExisting: boolean;
  actions: ActionValues[];
}

export interface Option {
  id: string;
  label: string;
}

export type CampaignFormErrors = Record<string, string>;

export const ACTION_LABELS: Record<ActionType, string> = {
  issue_code: "Issue a code",
  send_message: "Send a message",
  add_tags: "Tag the customer",
  write_metafield: "Write the code to a customer metafield",
  flow_trigger: "Start Shopify Flow (promo code issued)",
};

export function blankAction(type: ActionType): ActionValues {
  return { type, poolId: "", templateId: "", tags: "", namespace: "promo_codes", key: "last_code" };
}

export const EMPTY_CAMPAIGN_FORM: CampaignFormValues = {
  name: "",
  segmentId: "",
  repeatOnReentry: false,
  includeExisting: true,
  actions: [blankAction("issue_code"), blankAction("send_message")],
};

/** What the service validates: the form's strings turned into the settings' shapes. */
export function settingsFromValues(values: CampaignFormValues) {
  return {
    name: values.name,
    segmentId: values.segmentId,
    repeatOnReentry: values.repeatOnReentry,
    includeExisting: values.includeExisting,
    actions: values.actions.map((a) => {
      switch (a.type) {
        case "issue_code":
          return { type: a.type, poolId: a.poolId };
        case "send_message":
          return { type: a.type, templateId: a.templateId };
        case "add_tags":
          return { type: a.type, tags: a.tags.split(",").map((t) => t.trim()).filter(Boolean) };
        case "write_metafield":
          return { type: a.type, namespace: a.namespace, key: a.key };
        case "flow_trigger":
          return { type: a.type };
      }
    }),
  };
}

export function valuesFromSettings(settings: {
  name: string;
  segmentId: string;
  repeatOnReentry?: boolean;
  includeExisting?: boolean;
  actions: { type: ActionType; poolId?: string; templateId?: string; tags?: string[]; namespace?: string; key?: string }[];
}): CampaignFormValues {
  return {
    name: settings.name,
    segmentId: settings.segmentId,
    repeatOnReentry: settings.repeatOnReentry ?? false,
    includeExisting: settings.includeExisting ?? true,
    actions: settings.actions.map((a) => ({
      ...blankAction(a.type),
      poolId: a.poolId ?? "",
      templateId: a.templateId ?? "",
      tags: (a.tags ?? []).join(", "),
      namespace: a.namespace ?? "promo_codes",
      key: a.key ?? "last_code",
    })),
  };
}

export interface CampaignFormProps {
  fetcher: Pick<FetcherWithComponents<unknown>, "Form" | "state">;
  initial: CampaignFormValues;
  errors?: CampaignFormErrors | null;
  segments: (Option & { members: number })[];
  pools: (Option & { dynamic: boolean })[];
  templates: Option[];
  broadcast: boolean;
  segmentLocked?: boolean;
  submitLabel: string;
}

function choose(options: Option[], placeholder: string) {
  return [{ label: placeholder, value: "" }, ...options.map((o) => ({ label: o.label, value: o.id }))];
}

export function CampaignForm({ fetcher, initial, errors, segments, pools, templates, broadcast, segmentLocked = false, submitLabel }: CampaignFormProps) {
  // Compared as the settings a save sends: "a,b" and "a, b" are the same tags.
  const form = useFormBaseline(initial, { normalise: settingsFromValues });
  const { values, setValues } = form;
  const [adding, setAdding] = useState<ActionType>("add_tags");
  const submitting = fetcher.state !== "idle";
  useUnsavedChanges({ dirty: form.dirty, saving: submitting, onSave: form.submit, onDiscard: form.discard });
  const setAction = (index: number, patch: Partial<ActionValues>) =>
    setValues((v) => ({ ...v, actions: v.actions.map((a, i) => (i === index ? { ...a, ...patch } : a)) }));
  const move = (index: number, by: -1 | 1) =>
    setValues((v) => {
      const actions = [...v.actions];
      const [item] = actions.splice(index, 1);
      if (item) actions.splice(index + by, 0, item);
      return { ...v, actions };
    });
  const remove = (index: number) => setValues((v) => ({ ...v, actions: v.actions.filter((_, i) => i !== index) }));
  const err = (path: string) => errors?.[path];

  return (
    <fetcher.Form method="post" noValidate {...form.formProps}>
      <input type="hidden" name="settings" value={JSON.stringify(settingsFromValues(values))} />
      <BlockStack gap="400">
        {err("form") ? <Banner tone="critical" title={err("form")} /> : null}
        <Card>
          <FormLayout>
            <TextField
              label="Name"
              value={values.name}
              onChange={(name) => setValues((v) => ({ ...v, name }))}
              autoComplete="off"
              error={err("name")}
              helpText="For you; customers never see it."
              maxLength={200}
            />
            <Select
              label={broadcast ? "Send to every current member of" : "Runs when a customer enters"}
              options={[{ label: "Pick a segment", value: "" }, ...segments.map((s) => ({ label: `${s.label} (${s.members.toLocaleString("en-US")} members)`, value: s.id }))]}
              value={values.segmentId}
              onChange={(segmentId) => setValues((v) => ({ ...v, segmentId }))}
              error={err("segmentId")}
              disabled={segmentLocked}
            />
            {broadcast ? null : (
              <BlockStack gap="100">
                <Checkbox
                  label="Repeat for customers who enter the segment again"
                  helpText="Off: each customer gets at most one run, ever."
                  checked={values.repeatOnReentry}
                  onChange={(repeatOnReentry) => setValues((v) => ({ ...v, repeatOnReentry }))}
                />
                <Checkbox
                  label="Also run for customers already in the segment when the campaign starts"
                  checked={values.includeExisting}
                  onChange={(includeExisting) => setValues((v) => ({ ...v, includeExisting }))}
                />
              </BlockStack>
            )}
          </FormLayout>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              Actions, in order
            </Text>
            {err("actions") ? <Banner tone="critical" title={err("actions")} /> : null}
            {values.actions.map((action, index) => (
              <Box key={index} padding="300" borderColor="border" borderWidth="025" borderRadius="200">
                <BlockStack gap="200">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h3" variant="headingSm">
                      {index + 1}. {ACTION_LABELS[action.type]}
                    </Text>
                    <InlineStack gap="100">
                      <Button size="slim" disabled={index === 0} onClick={() => move(index, -1)} accessibilityLabel={`Move action ${index + 1} up`}>
                        Up
                      </Button>
                      <Button
                        size="slim"
                        disabled={index === values.actions.length - 1}
                        onClick={() => move(index, 1)}
                        accessibilityLabel={`Move action ${index + 1} down`}
                      >
                        Down
                      </Button>
                      <Button size="slim" tone="critical" onClick={() => remove(index)} accessibilityLabel={`Remove action ${index + 1}`}>
                        Remove
                      </Button>
                    </InlineStack>
                  </InlineStack>
                  {err(`actions.${index}`) ? (
                    <Text as="p" tone="critical">
                      {err(`actions.${index}`)}
                    </Text>
                  ) : null}
                  {action.type === "issue_code" ? (
                    <Select
                      label="Pool"
                      options={choose(
                        pools.map((p) => ({ id: p.id, label: p.dynamic ? `${p.label} (dynamic: restricted to the triggered products)` : p.label })),
                        "Pick a pool",
                      )}
                      value={action.poolId}
                      onChange={(poolId) => setAction(index, { poolId })}
                      error={err(`actions.${index}.poolId`)}
                    />
                  ) : null}
                  {action.type === "send_message" ? (
                    <Select
                      label="Message template"
                      options={choose(templates, templates.length ? "Pick a template" : "No templates yet")}
                      value={action.templateId}
                      onChange={(templateId) => setAction(index, { templateId })}
                      error={err(`actions.${index}.templateId`)}
                    />
                  ) : null}
                  {action.type === "add_tags" ? (
                    <TextField
                      label="Tags"
                      helpText="Separated by commas."
                      value={action.tags}
                      onChange={(tags) => setAction(index, { tags })}
                      autoComplete="off"
                      error={err(`actions.${index}.tags`) ?? err(`actions.${index}.tags.0`)}
                    />
                  ) : null}
                  {action.type === "write_metafield" ? (
                    <InlineStack gap="200">
                      <TextField
                        label="Namespace"
                        value={action.namespace}
                        onChange={(namespace) => setAction(index, { namespace })}
                        autoComplete="off"
                        error={err(`actions.${index}.namespace`)}
                      />
                      <TextField
                        label="Key"
                        value={action.key}
                        onChange={(key) => setAction(index, { key })}
                        autoComplete="off"
                        error={err(`actions.${index}.key`)}
                      />
                    </InlineStack>
                  ) : null}
                </BlockStack>
              </Box>
            ))}
            <InlineStack gap="200" blockAlign="end">
              <div style={{ minWidth: 280 }}>
                <Select
                  label="Add an action"
                  options={(Object.keys(ACTION_LABELS) as ActionType[]).map((t) => ({ label: ACTION_LABELS[t], value: t }))}
                  value={adding}
                  onChange={(t) => setAdding(t as ActionType)}
                />
              </div>
              <Button onClick={() => setValues((v) => ({ ...v, actions: [...v.actions, blankAction(adding)] }))}>Add</Button>
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
