// One upload or generation run's report, opened from the pool page's recent runs: what it added, what it skipped
// and the lines it did not take with their reasons, as the pool page showed right after the upload. Read from the
// code_imports row, so it survives a reload. A run of another shop, of a deleted pool, or a malformed id is a 404.
import { Banner, BlockStack, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { data, useLoaderData, useLocation, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { NotFoundPage } from "../components/NotFoundPage";
import { formatDateTime, formatNumber, plural, SOURCE_LABELS } from "../components/pools/format";
import { ImportCounts, ImportReportDetails, notTakenSummary } from "../components/pools/ImportReport";
import { importProgressView } from "../components/pools/import-view.server";
import { appHref } from "../components/pools/links";
import { ImportStatusBadge } from "../components/pools/StatusBadge";
import { getImportOfPool } from "../services/pools/imports.server";

/** Codes a platform refused, listed at most (the run keeps the first 1,000). */
const SHOWN_FAILURES = 1_000;

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const found = await getImportOfPool(admin.db, params.poolId ?? "", params.importId ?? "");
  if (!found) return data({ found: false as const, poolId: params.poolId ?? "" }, { status: 404 });
  const { pool, run } = found;
  const view = importProgressView(run);
  return {
    found: true as const,
    pool: { id: pool.id, name: pool.name },
    run: {
      ...view,
      // Refusals are stored as "<reason>: <message>"; the merchant needs the message.
      error: view.error ? view.error.replace(/^[a-z_]+: /, "") : null,
      label: run.fileName ?? (run.source === "paste" ? "Pasted codes" : (SOURCE_LABELS[run.source] ?? run.source)),
      sourceLabel: SOURCE_LABELS[run.source] ?? run.source,
      createdAt: formatDateTime(run.createdAt),
      finishedAt: run.finishedAt ? formatDateTime(run.finishedAt) : null,
    },
  };
};

type Loaded = Extract<Awaited<ReturnType<typeof loader>>, { found: true }>;

export default function ImportReportRoute() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.found) {
    return (
      <NotFoundPage
        title="Report not found"
        heading="This upload or generation is unknown"
        backLabel="Pools"
        backPath="/app/pools"
      >
        The run may belong to a pool that was deleted, or the address is incomplete.
      </NotFoundPage>
    );
  }
  return <ReportPage {...loaded} />;
}

function ReportPage({ pool, run }: Loaded) {
  const { search } = useLocation();
  const running = run.status === "RUNNING" || run.status === "QUEUED";
  const notTaken = run.report ? notTakenSummary(run.report) : null;
  return (
    <Page
      title={`Report: ${run.label}`}
      titleMetadata={<ImportStatusBadge status={run.status} />}
      subtitle={`${pool.name} · ${run.sourceLabel} · started ${run.createdAt}${run.finishedAt ? `, ended ${run.finishedAt}` : ""}`}
      backAction={{ content: pool.name, url: appHref(`/app/pools/${pool.id}`, search) }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <div data-testid="import-report">
              <BlockStack gap="400">
                {running ? (
                  <Banner tone="info" title={`${run.label} is still running`}>
                    <p>The counts below are so far. Reload this page to see how it ends.</p>
                  </Banner>
                ) : run.status === "FAILED" ? (
                  <Banner
                    tone="critical"
                    title={
                      run.accepted > 0
                        ? `${run.label} stopped after ${plural(run.accepted, "code")} added`
                        : `${run.label} failed; nothing was added`
                    }
                  >
                    <p>{run.error ?? "The run stopped before it ended."}</p>
                  </Banner>
                ) : run.report ? (
                  <Banner
                    tone={notTaken ? "warning" : "success"}
                    title={`${run.label}: ${plural(run.report.accepted, "code")} added`}
                  >
                    <p>{notTaken ? `${notTaken}; see the lines below.` : "Every line was taken."}</p>
                  </Banner>
                ) : (
                  <Banner
                    tone={run.rejected > 0 ? "warning" : "success"}
                    title={`${run.label}: ${plural(run.accepted, "code")} added`}
                  />
                )}
                {run.report && !running ? (
                  <ImportReportDetails report={run.report} />
                ) : (
                  <ImportCounts accepted={run.accepted} duplicates={run.duplicates} rejected={run.rejected} />
                )}
                {run.failures && run.failures.length > 0 ? (
                  <BlockStack gap="200">
                    <Text as="h3" variant="headingSm">
                      Codes refused
                    </Text>
                    <DataTable
                      columnContentTypes={["text", "text"]}
                      headings={["Code", "Reason"]}
                      rows={run.failures.slice(0, SHOWN_FAILURES).map((f) => [f.code, f.reason])}
                      increasedTableDensity
                      truncate
                    />
                    {run.rejected > run.failures.length ? (
                      <Text as="p" tone="subdued">
                        Only the first {formatNumber(run.failures.length)} refused codes are listed;{" "}
                        {plural(run.rejected - run.failures.length, "more code")}{" "}
                        {run.rejected - run.failures.length === 1 ? "is" : "are"} not shown.
                      </Text>
                    ) : null}
                  </BlockStack>
                ) : null}
                {run.report === null && !running && run.status !== "FAILED" && !run.failures ? (
                  <Text as="p" tone="subdued">
                    {run.source === "generate"
                      ? "Generated codes have no lines to report."
                      : "This run kept no per-line report."}
                  </Text>
                ) : null}
              </BlockStack>
            </div>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
