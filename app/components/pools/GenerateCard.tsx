// Generating codes from a shape (length or # pattern, character set, prefix, suffix). The action checks the
// request fits the shape's space and queues the work; the card then follows the worker's progress.
import { Banner, BlockStack, Button, Card, FormLayout, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useFetcher } from "react-router";
import { plural } from "./format";
import { RunProgress } from "./RunProgress";
import { isRunning, useImportProgress, useRevalidateWhenDone } from "./useImportProgress";

export type GenerateResult =
  | { intent: "generate"; type: "started"; importId: string; message: string }
  | { intent: "generate"; type: "refused"; message: string };

const CHARSETS = [
  { label: "Letters and digits (A–Z, 2–9)", value: "alphanumeric_upper" },
  { label: "Letters only (A–Z)", value: "letters_upper" },
  { label: "Digits only (2–9)", value: "digits" },
  { label: "Mixed-case letters and digits", value: "alphanumeric_mixed" },
];

export function GenerateCard({ poolId }: { poolId: string }) {
  const fetcher = useFetcher<GenerateResult>();
  const [count, setCount] = useState("100");
  const [length, setLength] = useState("8");
  const [charset, setCharset] = useState("alphanumeric_upper");
  const [pattern, setPattern] = useState("");
  const [prefix, setPrefix] = useState("");
  const [suffix, setSuffix] = useState("");
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const importId = result?.type === "started" ? result.importId : null;
  const progress = useImportProgress(poolId, importId);
  useRevalidateWhenDone(progress);
  const running = importId !== null && isRunning(progress);
  const usesPattern = pattern.trim() !== "";

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Generate codes
          </Text>
          <Text as="p" tone="subdued">
            Random codes without look-alike characters (0 O 1 I l). In a pattern, each # is one random character.
          </Text>
        </BlockStack>
        <fetcher.Form method="post" noValidate>
          <input type="hidden" name="intent" value="generate" />
          <FormLayout>
            <FormLayout.Group>
              <TextField
                label="Number of codes"
                name="count"
                type="number"
                min={1}
                value={count}
                onChange={setCount}
                autoComplete="off"
              />
              <TextField
                label="Length"
                name="length"
                type="number"
                min={1}
                value={length}
                onChange={setLength}
                autoComplete="off"
                disabled={usesPattern}
                helpText={usesPattern ? "The pattern sets the length." : undefined}
              />
            </FormLayout.Group>
            <Select label="Characters" name="charset" options={CHARSETS} value={charset} onChange={setCharset} />
            <TextField
              label="Pattern (optional)"
              name="pattern"
              value={pattern}
              onChange={setPattern}
              autoComplete="off"
              monospaced
              placeholder="SUMMER-####-##"
            />
            <FormLayout.Group>
              <TextField
                label="Prefix"
                name="prefix"
                value={prefix}
                onChange={setPrefix}
                autoComplete="off"
                monospaced
              />
              <TextField
                label="Suffix"
                name="suffix"
                value={suffix}
                onChange={setSuffix}
                autoComplete="off"
                monospaced
              />
            </FormLayout.Group>
            <InlineStack align="end">
              <Button submit loading={fetcher.state !== "idle"} disabled={running}>
                Generate codes
              </Button>
            </InlineStack>
          </FormLayout>
        </fetcher.Form>
        {result?.type === "refused" ? (
          <div data-testid="generate-refused">
            <Banner tone="critical" title="These codes cannot be generated">
              <p>{result.message}</p>
            </Banner>
          </div>
        ) : null}
        {result?.type === "started" && running ? (
          <RunProgress
            testId="generate-progress"
            label="Generating codes"
            percent={progress?.percent ?? 0}
            detail={`${plural(progress?.itemsDone ?? 0, "code")} of ${plural(progress?.itemsTotal ?? 0, "code")} so far. ${result.message}`}
          />
        ) : null}
        {result?.type === "started" && progress && !running ? (
          <div data-testid="generate-result">
            {progress.status === "SUCCEEDED" ? (
              <Banner tone="success" title={`${plural(progress.accepted, "code")} generated`} />
            ) : (
              <Banner tone="critical" title="Generation failed">
                <p>{progress.error ?? "The job stopped; it is retried automatically a few times."}</p>
              </Banner>
            )}
          </div>
        ) : null}
      </BlockStack>
    </Card>
  );
}
