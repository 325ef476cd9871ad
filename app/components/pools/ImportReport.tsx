// An upload's report: how many codes were accepted, skipped as duplicates and rejected, and the lines not taken
// with their line numbers and reasons. Shown right after an upload and, from the stored report, on the run's page.
import { BlockStack, Box, DataTable, InlineGrid, Link, Text } from "@shopify/polaris";
import { useLocation } from "react-router";
import { formatNumber, plural, rejectReasonLabel } from "./format";
import type { UploadReportView } from "./import-types";
import { appHref } from "./links";

/** Lines not taken listed at most; the rest are counted. */
export const SHOWN_REJECTIONS = 200;

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div data-testid={`upload-count-${label.toLowerCase()}`}>
      <Box background="bg-surface-secondary" padding="300" borderRadius="200">
        <BlockStack gap="050">
          <Text as="p" tone="subdued" variant="bodySm">
            {label}
          </Text>
          <Text as="p" variant="headingLg" numeric>
            {formatNumber(value)}
          </Text>
        </BlockStack>
      </Box>
    </div>
  );
}

export function ImportCounts({
  accepted,
  duplicates,
  rejected,
}: {
  accepted: number;
  duplicates: number;
  rejected: number;
}) {
  return (
    <InlineGrid columns={3} gap="300">
      <Count label="Accepted" value={accepted} />
      <Count label="Duplicates" value={duplicates} />
      <Count label="Rejected" value={rejected} />
    </InlineGrid>
  );
}

/** "2 duplicates skipped and 5 lines rejected", or null when every line was taken. */
export function notTakenSummary(report: UploadReportView): string | null {
  const duplicates = report.duplicatesInFile + report.duplicatesInPool;
  if (duplicates + report.rejected === 0) return null;
  return [
    duplicates > 0 ? `${plural(duplicates, "duplicate")} skipped` : "",
    report.rejected > 0 ? `${plural(report.rejected, "line")} rejected` : "",
  ]
    .filter(Boolean)
    .join(" and ");
}

/**
 * "3 already past their expiry (listed as expired) and 2 marked in use (listed as retired)": accepted codes that
 * will never be given out, or null when there are none.
 */
export function notIssuableSummary(report: UploadReportView): string | null {
  const parts = [
    report.acceptedExpired > 0 ? `${formatNumber(report.acceptedExpired)} already past their expiry (listed as expired)` : "",
    report.acceptedInUse > 0 ? `${formatNumber(report.acceptedInUse)} marked in use (listed as retired)` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(" and ") : null;
}

/** The counts and the lines not taken (the first SHOWN_REJECTIONS of them, in file order). */
export function ImportReportDetails({ report }: { report: UploadReportView }) {
  const shown = report.rejections.slice(0, SHOWN_REJECTIONS);
  const notShown = report.rejections.length - shown.length + report.rejectionsOmitted;
  return (
    <BlockStack gap="400">
      <ImportCounts
        accepted={report.accepted}
        duplicates={report.duplicatesInFile + report.duplicatesInPool}
        rejected={report.rejected}
      />
      {notIssuableSummary(report) ? (
        <Text as="p" tone="subdued">
          <span data-testid="upload-not-issuable">{`Of the codes accepted, ${notIssuableSummary(report)}: they are never given out.`}</span>
        </Text>
      ) : null}
      {shown.length > 0 ? (
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Lines not taken
          </Text>
          <div data-testid="rejected-lines">
            <DataTable
              columnContentTypes={["numeric", "text", "text"]}
              headings={["Line", "Reason", "Value"]}
              rows={shown.map((line) => [line.line, rejectReasonLabel(line.reason), line.value || "—"])}
              increasedTableDensity
              truncate
            />
          </div>
          {notShown > 0 ? (
            <Text as="p" tone="subdued">
              Only the first {plural(shown.length, "line")} not taken are listed; {plural(notShown, "more line")}{" "}
              {notShown === 1 ? "is" : "are"} not shown.
            </Text>
          ) : null}
        </BlockStack>
      ) : null}
    </BlockStack>
  );
}

/** The recent runs table's link to a run's report page. */
export function ImportReportLink({ poolId, importId, label }: { poolId: string; importId: string; label: string }) {
  const { search } = useLocation();
  return (
    <Link
      url={appHref(`/app/pools/${poolId}/imports/${importId}/report`, search)}
      accessibilityLabel={`View the report of ${label}`}
    >
      View report
    </Link>
  );
}
