// Create and edit a segment: its name and its rules. Submitted through a fetcher so the builder keeps what the
// merchant typed while the action answers with errors next to the fields (or redirects once saved).
import { Banner, BlockStack, Button, Card, InlineStack, TextField } from "@shopify/polaris";
import type { FetcherWithComponents } from "react-router";
import type { BuilderOptions } from "../../services/segments/segments.server";
import { useUnsavedChanges } from "../UnsavedChanges";
import { useFormBaseline } from "../use-form-baseline";
import { rulesInput, type RulesDraft } from "./draft";
import { RuleBuilder } from "./RuleBuilder";

export interface SegmentFormProps {
  fetcher: Pick<FetcherWithComponents<unknown>, "Form" | "state">;
  initialName: string;
  initialRules: RulesDraft;
  options: BuilderOptions;
  errors?: Record<string, string> | null;
  submitLabel: string;
  intent?: string;
}

export function SegmentForm({
  fetcher,
  initialName,
  initialRules,
  options,
  errors,
  submitLabel,
  intent,
}: SegmentFormProps) {
  // Compared as the rules a save sends: a field the chosen condition does not use is no change.
  const form = useFormBaseline(
    { name: initialName, draft: initialRules },
    { normalise: (v) => ({ name: v.name, rules: rulesInput(v.draft) }) },
  );
  const { name, draft } = form.values;
  const setName = (next: string) => form.setValues((v) => ({ ...v, name: next }));
  const setDraft = (next: RulesDraft) => form.setValues((v) => ({ ...v, draft: next }));
  const submitting = fetcher.state !== "idle";
  useUnsavedChanges({ dirty: form.dirty, saving: submitting, onSave: form.submit, onDiscard: form.discard });
  return (
    <fetcher.Form method="post" noValidate {...form.formProps}>
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <input type="hidden" name="rules" value={JSON.stringify(rulesInput(draft))} />
      <BlockStack gap="400">
        {errors?.form ? <Banner tone="critical" title={errors.form} /> : null}
        <Card>
          <TextField
            label="Name"
            name="name"
            value={name}
            onChange={setName}
            autoComplete="off"
            error={errors?.name}
            helpText="Unique in this store. Campaigns pick segments by this name; customers never see it."
            maxLength={100}
          />
        </Card>
        <RuleBuilder draft={draft} onChange={setDraft} options={options} errors={errors} />
        <InlineStack align="end">
          <Button submit variant="primary" loading={submitting}>
            {submitLabel}
          </Button>
        </InlineStack>
      </BlockStack>
    </fetcher.Form>
  );
}
