// The numbers merchants ask first (issued, delivered, redeemed, redemption rate, revenue) above the daily chart.
import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";
import { ResultsChart, type DayResult } from "./ResultsChart";

export interface ResultsView {
  issued: number;
  delivered: number;
  redeemed: number;
  /** Already formatted ("12.5%"), or "—" when nothing was issued. */
  rate: string;
  /** Already formatted in the shop's currency. */
  revenue: string;
  days: DayResult[];
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg" numeric>
        {typeof value === "number" ? value.toLocaleString("en-US") : value}
      </Text>
    </BlockStack>
  );
}

export function ResultsCard({
  title,
  results,
  showDelivered = true,
}: {
  title: string;
  results: ResultsView;
  showDelivered?: boolean;
}) {
  return (
    <Card>
      <section aria-label={title}>
        <BlockStack gap="400">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              {title}
            </Text>
            {/* The figures count every code ever issued in the scope; only the chart is limited to recent days. */}
            <Text as="p" variant="bodySm" tone="subdued">
              All time. The chart shows the last {results.days.length} days.
            </Text>
          </BlockStack>
          <InlineGrid columns={{ xs: 2, md: showDelivered ? 5 : 4 }} gap="400">
            <Figure label="Codes issued" value={results.issued} />
            {showDelivered ? <Figure label="Messages delivered" value={results.delivered} /> : null}
            <Figure label="Redeemed" value={results.redeemed} />
            <Figure label="Redemption rate" value={results.rate} />
            <Figure label="Net revenue of redeeming orders (after refunds)" value={results.revenue} />
          </InlineGrid>
          <ResultsChart
            days={results.days}
            title={`${title}: codes issued and redeemed per day, last ${results.days.length} days`}
          />
        </BlockStack>
      </section>
    </Card>
  );
}
