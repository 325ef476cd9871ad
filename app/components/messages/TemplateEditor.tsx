// The template form with a live preview beside it: every change is rendered on the server (sample codes, a real or
// made-up customer) a moment after typing stops, and problems show next to their field with their line and column.
import { Badge, Banner, BlockStack, Box, Button, Card, FormLayout, InlineGrid, InlineStack, List, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState, type ReactElement } from "react";
import { useFetcher, useLocation, type FetcherWithComponents } from "react-router";
import { useUnsavedChanges } from "../UnsavedChanges";
import { useFormBaseline } from "../use-form-baseline";
import {
  CHANNEL_LABELS,
  submittedTemplate,
  type PreviewCustomerChoice,
  type PreviewResponse,
  type TemplateChannel,
  type TemplateFormErrors,
  type TemplateFormValues,
} from "./template-form";

const PREVIEW_DELAY_MS = 350;

/** A multi-line error (one problem per line) as Polaris shows a field error. */
function lines(message: string | undefined): ReactElement | undefined {
  if (!message) return undefined;
  return (
    <>
      {message.split("\n").map((line, i) => (
        <span key={i} style={{ display: "block" }}>
          {line}
        </span>
      ))}
    </>
  );
}

function PlaceholderHelp({ pools }: { pools: string[] }) {
  const example = pools[0] ?? "Pool name";
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm" tone="subdued">
        Placeholders (any of the syntaxes your other tools use):
      </Text>
      <List type="bullet">
        <List.Item>
          <code>{"{{promoCode}}"}</code>, <code>{"{$dynamic_discount_code}"}</code>, <code>{"$!data.get('promocode')"}</code>: the code the campaign or
          scenario issued
        </List.Item>
        <List.Item>
          <code>{`{{client.promocode('${example}')}}`}</code>: a new code from that pool; <code>{`{{client.last_promocode('${example}')}}`}</code>: the
          customer&apos;s last code from it
        </List.Item>
        <List.Item>
          <code>{"{{userName}} {{firstName}} {{lastName}} {{email}} {{shopName}} {{codeExpiresAt}}"}</code>
        </List.Item>
        <List.Item>
          <code>{"{{#triggeredProducts}}{{product.title}} {{product.vendor}} {{product.url}}{{/triggeredProducts}}"}</code>: once per product that made
          the customer qualify ({"{{product.url}}"}: its page on your store; Shopify stores only)
        </List.Item>
      </List>
      <Text as="p" variant="bodySm" tone="subdued">
        {pools.length ? `Your pools: ${pools.join(", ")}.` : "You have no pools yet."}
      </Text>
    </BlockStack>
  );
}

/** What the preview's check found, field by field, under the names the form shows. */
function previewProblems(errors: TemplateFormErrors, channel: TemplateChannel): { label: string; line: string }[] {
  const labels: [keyof TemplateFormErrors, string][] = [
    ["name", "Name"],
    ["channel", "Channel"],
    ["subject", channel === "EMAIL" ? "Subject" : "Title"],
    ["body", channel === "EMAIL" ? "Body" : "Text"],
  ];
  return labels.flatMap(([field, label]) => (errors[field] ?? "").split("\n").filter(Boolean).map((line) => ({ label, line })));
}

function PreviewPane({ preview, loading, channel }: { preview: PreviewResponse | undefined; loading: boolean; channel: TemplateChannel }) {
  if (!preview) {
    return (
      <Text as="p" tone="subdued">
        Rendering the preview…
      </Text>
    );
  }
  if (preview.type === "invalid") {
    return (
      <Banner tone="warning" title="Fix the template to see it">
        <BlockStack gap="100">
          <p>The preview shows once these are fixed:</p>
          <List type="bullet">
            {previewProblems(preview.errors, channel).map((p, i) => (
              <List.Item key={i}>
                <span data-testid="preview-problem">
                  {p.label}: {p.line}
                </span>
              </List.Item>
            ))}
          </List>
        </BlockStack>
      </Banner>
    );
  }
  return (
    <BlockStack gap="300">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" tone="subdued">
          As {preview.customer.label} would get it
        </Text>
        {preview.customer.sample ? <Badge>Sample customer</Badge> : null}
        {loading ? <Badge tone="info">Updating</Badge> : null}
      </InlineStack>
      {preview.subject !== null ? (
        <Box padding="200" background="bg-surface-secondary" borderRadius="200">
          <Text as="p" fontWeight="semibold" breakWord>
            <span data-testid="preview-subject">{preview.subject}</span>
          </Text>
        </Box>
      ) : null}
      {preview.channel === "EMAIL" ? (
        // Sandboxed: the merchant's HTML is shown, never run.
        <iframe
          title="Email preview"
          data-testid="preview-frame"
          sandbox=""
          srcDoc={preview.body}
          style={{ width: "100%", minHeight: 360, border: "1px solid #e3e3e3", borderRadius: 8, background: "#fff" }}
        />
      ) : (
        <Box padding="300" background="bg-surface-secondary" borderRadius="300">
          <Text as="p" breakWord>
            <span data-testid="preview-text" style={{ whiteSpace: "pre-wrap" }}>
              {preview.body}
            </span>
          </Text>
        </Box>
      )}
      <Text as="p" variant="bodySm" tone="subdued">
        Codes are samples: nothing is issued or sent by the preview.
      </Text>
    </BlockStack>
  );
}

export interface TemplateEditorProps {
  fetcher: Pick<FetcherWithComponents<unknown>, "Form" | "state">;
  initial: TemplateFormValues;
  errors?: TemplateFormErrors | null;
  pools: string[];
  customers: PreviewCustomerChoice[];
  submitLabel: string;
  /** Shown above the form after a save. */
  notice?: string | null;
  /** The answer of a successful save that kept the merchant on the page: what was sent is the new baseline. */
  saved?: unknown;
}

export function TemplateEditor({ fetcher, initial, errors, pools, customers, submitLabel, notice, saved }: TemplateEditorProps) {
  const form = useFormBaseline(initial, { normalise: submittedTemplate, saved });
  const { values, setValues } = form;
  useUnsavedChanges({ dirty: form.dirty, saving: fetcher.state !== "idle", onSave: form.submit, onDiscard: form.discard });
  const [customerId, setCustomerId] = useState("");
  const set =
    <K extends keyof TemplateFormValues>(key: K) =>
    (value: TemplateFormValues[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const preview = useFetcher<PreviewResponse>();
  const submitPreview = preview.submit;
  // The preview posts to this page's own URL, fixed at render. Left to the default, a timer firing while the
  // merchant leaves resolves against the page being navigated to, and posts there (a 405 on the templates list).
  const { pathname, search } = useLocation();
  const previewAction = `${pathname}${search}`;

  useEffect(() => {
    const timer = setTimeout(() => {
      const form = new FormData();
      form.set("intent", "preview");
      form.set("name", values.name);
      form.set("channel", values.channel);
      form.set("subject", values.subject);
      form.set("body", values.body);
      form.set("previewCustomerId", customerId);
      void submitPreview(form, { method: "post", action: previewAction });
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [values.name, values.channel, values.subject, values.body, customerId, submitPreview, previewAction]);

  // While typing, the preview's own check is the freshest word on placeholders; a save answers for every field.
  const previewErrors = preview.data?.type === "invalid" ? preview.data.errors : null;
  const shown: TemplateFormErrors = { ...(errors ?? {}) };
  if (previewErrors) {
    shown.subject ??= previewErrors.subject;
    shown.body ??= previewErrors.body;
  }
  const channel = values.channel;

  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
      <Card>
        <fetcher.Form method="post" noValidate {...form.formProps}>
          <input type="hidden" name="intent" value="save" />
          <FormLayout>
            {notice ? <Banner tone="success" title={notice} /> : null}
            {errors?.form ? <Banner tone="critical" title={errors.form} /> : null}
            <TextField label="Name" name="name" value={values.name} onChange={set("name")} autoComplete="off" error={shown.name} helpText="For you: customers never see it." maxLength={100} />
            <Select
              label="Channel"
              name="channel"
              options={(Object.keys(CHANNEL_LABELS) as TemplateChannel[]).map((c) => ({ label: CHANNEL_LABELS[c], value: c }))}
              value={channel}
              onChange={(value) => set("channel")(value as TemplateChannel)}
              error={shown.channel}
            />
            {channel !== "SMS" ? (
              <TextField
                label={channel === "EMAIL" ? "Subject" : "Title"}
                name="subject"
                value={values.subject}
                onChange={set("subject")}
                autoComplete="off"
                error={lines(shown.subject)}
                helpText={channel === "PUSH" ? "Shown above the notification's text (optional)." : undefined}
              />
            ) : null}
            <TextField
              label={channel === "EMAIL" ? "Body (HTML or plain text)" : "Text"}
              name="body"
              value={values.body}
              onChange={set("body")}
              autoComplete="off"
              multiline={12}
              monospaced
              error={lines(shown.body)}
              helpText={channel === "SMS" ? `${values.body.length} of 1,600 characters.` : undefined}
            />
            <PlaceholderHelp pools={pools} />
            <InlineStack align="end">
              <Button submit variant="primary" loading={fetcher.state !== "idle"}>
                {submitLabel}
              </Button>
            </InlineStack>
          </FormLayout>
        </fetcher.Form>
      </Card>
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Preview
            </Text>
            <div style={{ minWidth: 220 }}>
              <Select
                label="Preview as"
                labelInline
                options={[{ label: "Most recent customer", value: "" }, ...customers.map((c) => ({ label: c.label, value: c.id }))]}
                value={customerId}
                onChange={setCustomerId}
              />
            </div>
          </InlineStack>
          <PreviewPane preview={preview.data} loading={preview.state !== "idle"} channel={channel} />
        </BlockStack>
      </Card>
    </InlineGrid>
  );
}
