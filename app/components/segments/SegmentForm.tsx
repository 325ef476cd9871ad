// Create and edit a segment: its name and its rules. Submitted through a fetcher so the builder keeps what the
// merchant typed while the action answers with errors next to the fields (or redirects once saved).
import { Banner, BlockStack, Button, Card, InlineStack, TextField } from "@shopify/polaris";
import { useState } from "react";
import type { FetcherWithComponents } from "react-router";
import type { BuilderOptions } from "../../services/segments/segments.server";
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
  const [name, setName] = useState(initialName);
  const [draft, setDraft] = useState<RulesDraft>(initialRules);
  const submitting = fetcher.state !== "idle";
  return (
    <fetcher.Form method="post" noValidate>
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
