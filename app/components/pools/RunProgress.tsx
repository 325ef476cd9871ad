import { BlockStack, InlineStack, ProgressBar, Spinner, Text } from "@shopify/polaris";

/** A running upload or generation: a progress bar with what has been done so far. */
export function RunProgress({
  testId,
  label,
  percent,
  detail,
}: {
  testId: string;
  label: string;
  percent: number | null;
  detail: string;
}) {
  return (
    <div data-testid={testId} data-percent={percent ?? ""} role="status" aria-live="polite">
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center" gap="200" wrap={false}>
          <InlineStack gap="200" blockAlign="center" wrap={false}>
            <Spinner size="small" accessibilityLabel="Running" />
            <Text as="p" fontWeight="medium">
              {label}
            </Text>
          </InlineStack>
          <Text as="p" tone="subdued" numeric>
            {percent === null ? "" : `${percent}%`}
          </Text>
        </InlineStack>
        <ProgressBar progress={percent ?? 0} size="small" animated={false} />
        <Text as="p" tone="subdued" variant="bodySm">
          {detail}
        </Text>
      </BlockStack>
    </div>
  );
}
