// One pool: stock and issues per day, adding codes (upload, paste, generate) with live progress, its codes,
// recent uploads, its settings, retiring unused codes and deleting it. A dynamic pool shows its code settings and
// the codes created on the store, each revocable.
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Card,
  DataTable,
  InlineGrid,
  Layout,
  Modal,
  Page,
  Text,
} from "@shopify/polaris";
import { useState } from "react";
import {
  data,
  redirect,
  useFetcher,
  useLoaderData,
  useLocation,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "react-router";
import { requireAdmin } from "../auth.server";
import { searchTerm } from "../domain/search-term";
import { NotFoundPage } from "../components/NotFoundPage";
import { CODE_TABS, CodesCard, type CodeTab, type CodesView } from "../components/pools/CodesCard";
import { dynamicFormValues } from "../components/pools/dynamic-form";
import {
  EMPTY_BEHAVIOR_LABELS,
  forecastText,
  formatDateTime,
  formatDay,
  formatNumber,
  plural,
  SOURCE_LABELS,
  type EmptyBehavior,
} from "../components/pools/format";
import { GenerateCard, type GenerateResult } from "../components/pools/GenerateCard";
import { IssuesChart } from "../components/pools/IssuesChart";
import { appHref } from "../components/pools/links";
import { PoolForm, type PoolFormValues } from "../components/pools/PoolForm";
import { poolFormErrors, poolInputFromForm, type PoolFormErrors } from "../components/pools/pool-form.server";
import { ImportStatusBadge, PoolKindBadge } from "../components/pools/StatusBadge";
import { ImportReportLink } from "../components/pools/ImportReport";
import { RedeemableCard } from "../components/pools/RedeemableCard";
import { UploadCard, UploadStatus } from "../components/pools/UploadCard";
import { useCodeUpload } from "../components/pools/useImportProgress";
import { describeSettings } from "../domain/pools/dynamic";
import type { GenerateOptions } from "../domain/pools/generate";
import { enqueue } from "../jobs/enqueue.server";
import { jobId } from "../jobs/queues";
import { markImportFailed } from "../services/pools/admin-queries.server";
import { isRevocable, revokeDynamicCodes } from "../services/pools/dynamic.server";
import { planPoolGeneration, recentImports } from "../services/pools/imports.server";
import { deletePool, getPool, listPoolCodes, retireCodes, updatePool } from "../services/pools/pools.server";
import { lowStockPools } from "../services/pools/stock.server";
import { platformShopOf } from "../services/shops.server";
import { isBigintId, isUuid } from "../domain/ids";
import { DependentsList } from "../components/DependentsList";
import { dependentsOf } from "../services/dependents.server";

const PAGE_SIZE = 25;

function customerLabel(c: { email: string | null; firstName: string | null; lastName: string | null }): string {
  return [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || "Customer";
}

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const poolId = params.poolId ?? "";
  const pool = isUuid(poolId) ? await getPool(admin.db, admin.shopId, poolId) : null;
  if (!pool) return data({ found: false as const }, { status: 404 });

  const url = new URL(request.url);
  const status = url.searchParams.get("status");
  const tab: CodeTab = CODE_TABS.some((t) => t.id === status) ? (status as CodeTab) : "all";
  const q = searchTerm(url.searchParams);
  const rawCursor = url.searchParams.get("cursor");
  const cursor = isBigintId(rawCursor) ? rawCursor : null;
  const prev = (url.searchParams.get("prev") ?? "")
    .split(",")
    .filter((p) => p === "first" || isBigintId(p))
    .slice(-200);

  const { platform } = await platformShopOf(admin.db);
  const [codes, imports, low, dependents] = await Promise.all([
    listPoolCodes(admin.db, pool.id, {
      status: tab === "all" ? null : tab.toUpperCase(),
      search: q || null,
      cursor,
      take: PAGE_SIZE,
    }),
    recentImports(admin.db, pool.id, 10),
    lowStockPools(admin.db),
    dependentsOf(admin.db, { poolId: pool.id }),
  ]);
  const s = pool.stats;
  const codesView: CodesView = {
    rows: codes.codes.map((c) => ({
      id: c.id.toString(),
      code: c.code,
      status: c.status,
      assignedAt: c.assignedAt ? formatDateTime(c.assignedAt) : null,
      expiresAt: c.expiresAt ? formatDateTime(c.expiresAt) : null,
      customer: c.customer ? { id: c.customer.id, label: customerLabel(c.customer) } : null,
      revocable: isRevocable(c),
    })),
    tab,
    q,
    cursor,
    prev,
    nextCursor: codes.nextCursor,
    total: s.total,
  };
  return {
    found: true as const,
    platform,
    pool: {
      id: pool.id,
      name: pool.name,
      kind: pool.kind,
      description: pool.description,
      lowStockThreshold: pool.lowStockThreshold,
      emptyBehavior: pool.emptyBehavior,
      fallbackCode: pool.fallbackCode,
      createdAt: formatDateTime(pool.createdAt),
      low: low.some((l) => l.id === pool.id),
      settings: pool.dynamic ? describeSettings(pool.dynamic, platform) : null,
      dynamicForm: dynamicFormValues(pool.dynamic),
    },
    stats: {
      total: s.total,
      pending: s.pending,
      available: s.available,
      assigned: s.assigned,
      redeemed: s.redeemed,
      retired: s.retired,
      expired: s.expired,
      percentRemaining: s.percentRemaining,
      issuedLast7Days: s.issuedLast7Days,
      issued30Days: s.daily.reduce((sum, d) => sum + d.count, 0),
      forecast: forecastText(s),
      daily: s.daily.map((d) => ({ label: formatDay(d.day), count: d.count })),
    },
    codes: codesView,
    imports: imports.map((r) => ({
      id: r.id,
      createdAt: formatDateTime(r.createdAt),
      source: SOURCE_LABELS[r.source] ?? r.source,
      fileName: r.fileName,
      status: r.status,
      accepted: r.accepted,
      duplicates: r.duplicates,
      rejected: r.rejected,
      // Refusals are stored as "<reason>: <message>"; the merchant needs the message.
      error: r.error ? r.error.replace(/^[a-z_]+: /, "") : null,
    })),
    dependents,
  };
};

// ---------------------------------------------------------------------------------------------------------------
// Actions

type ActionResult =
  | { intent: "update"; saved: boolean; errors: PoolFormErrors | null; templatesUpdated: number }
  | GenerateResult
  | { intent: "retire-unused"; retired: number }
  | { intent: "retire-code"; retired: number }
  | { intent: "revoke-code"; revoked: number; error?: string }
  | { intent: "delete"; type: "needs_confirmation"; unused: number }
  | { intent: "error"; message: string };

const CHARSETS = new Set(["alphanumeric_upper", "letters_upper", "digits", "alphanumeric_mixed"]);

function generateRequest(form: FormData): { options: GenerateOptions; count: number } | { refused: string } {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const count = Number(text("count"));
  if (!Number.isSafeInteger(count) || count < 1)
    return { refused: "Enter how many codes to generate: a whole number of at least 1." };
  if (count > 1_000_000) return { refused: "Generate at most 1,000,000 codes at a time." };
  const charset = text("charset");
  const options: GenerateOptions = {
    charset: CHARSETS.has(charset) ? (charset as GenerateOptions["charset"]) : "alphanumeric_upper",
  };
  if (text("prefix")) options.prefix = text("prefix");
  if (text("suffix")) options.suffix = text("suffix");
  const pattern = text("pattern");
  if (pattern) {
    options.pattern = pattern;
  } else {
    const length = Number(text("length"));
    if (!Number.isSafeInteger(length) || length < 1)
      return { refused: "Enter the code length (a whole number of at least 1), or a pattern." };
    options.length = length;
  }
  return { options, count };
}

export const action = async ({ request, params }: ActionFunctionArgs): Promise<ActionResult> => {
  const admin = await requireAdmin(request);
  const poolId = params.poolId ?? "";
  const pool = isUuid(poolId) ? await getPool(admin.db, admin.shopId, poolId) : null;
  if (!pool) return { intent: "error", message: "This pool no longer exists." };
  const form = await request.formData();
  const search = new URL(request.url).search;

  switch (form.get("intent")) {
    case "update": {
      const input = poolInputFromForm(form);
      const result = await updatePool(admin.db, pool.id, input);
      return {
        intent: "update",
        saved: result.type === "saved",
        errors: poolFormErrors(result, input),
        templatesUpdated: result.type === "saved" ? (result.templatesUpdated ?? 0) : 0,
      };
    }
    case "generate": {
      const req = generateRequest(form);
      if ("refused" in req) return { intent: "generate", type: "refused", message: req.refused };
      const plan = await planPoolGeneration(admin.db, {
        shopId: admin.shopId,
        poolId: pool.id,
        options: req.options,
        count: req.count,
      });
      if (plan.type === "pool_not_found")
        return { intent: "generate", type: "refused", message: "Only static pools hold generated codes." };
      if (plan.type === "refused") return { intent: "generate", type: "refused", message: plan.message };
      try {
        await enqueue(
          "pools",
          "generate",
          { shopId: admin.shopId, importId: plan.importId },
          { jobId: jobId("generate", plan.importId) },
        );
      } catch {
        await markImportFailed(admin.db, plan.importId, "The generation could not be queued.");
        return {
          intent: "generate",
          type: "refused",
          message: "The generation could not be queued right now. Try again in a moment.",
        };
      }
      return { intent: "generate", type: "started", importId: plan.importId, message: plan.message };
    }
    case "retire-unused":
      return { intent: "retire-unused", retired: await retireCodes(admin.db, admin.shopId, pool.id, { allUnused: true }) };
    case "retire-code": {
      const codeId = String(form.get("codeId") ?? "");
      if (!isBigintId(codeId)) return { intent: "retire-code", retired: 0 };
      return { intent: "retire-code", retired: await retireCodes(admin.db, admin.shopId, pool.id, { codeIds: [codeId] }) };
    }
    case "revoke-code": {
      const codeId = String(form.get("codeId") ?? "");
      if (!isBigintId(codeId)) return { intent: "revoke-code", revoked: 0 };
      try {
        const result = await revokeDynamicCodes(admin.db, pool.id, { codeIds: [codeId] });
        return { intent: "revoke-code", revoked: result.revoked.length };
      } catch (error) {
        console.error(`[pools] revoking code ${codeId} failed:`, error);
        return {
          intent: "revoke-code",
          revoked: 0,
          error: "The store did not confirm the revocation, so the code still works. Try again in a moment.",
        };
      }
    }
    case "delete": {
      // The merchant confirmed a number of unused codes; if the pool has a different number now (an upload
      // landed meanwhile), ask again with the new one.
      const confirmed = Number(form.get("confirmUnused") ?? -1);
      const first = await deletePool(admin.db, pool.id, { confirmed: false });
      let retired = 0;
      if (first.type === "needs_confirmation") {
        if (first.unused !== confirmed) return { intent: "delete", type: "needs_confirmation", unused: first.unused };
        const done = await deletePool(admin.db, pool.id, { confirmed: true });
        if (done.type === "deleted") retired = done.retired;
      }
      throw redirect(appHref("/app/pools", search, { deleted: pool.name, retired: String(retired) }));
    }
    default:
      return { intent: "error", message: "Unknown action." };
  }
};

// ---------------------------------------------------------------------------------------------------------------
// Page

type Loaded = Extract<Awaited<ReturnType<typeof loader>>, { found: true }>;

export default function PoolRoute() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.found) {
    return (
      <NotFoundPage
        title="Pool not found"
        heading="This pool does not exist or was deleted"
        backLabel="Pools"
        backPath="/app/pools"
      >
        Codes already given out from a deleted pool stay with their customers.
      </NotFoundPage>
    );
  }
  return <PoolPage key={loaded.pool.id} {...loaded} />;
}

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingXl">
          {value}
        </Text>
        {detail ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {detail}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function PoolPage({ pool, stats, codes, imports, platform, dependents }: Loaded) {
  const { search } = useLocation();
  const upload = useCodeUpload(pool.id);
  const settings = useFetcher<ActionResult>();
  const retireAll = useFetcher<ActionResult>();
  const remove = useFetcher<ActionResult>();
  const [retireOpen, setRetireOpen] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const isStatic = pool.kind === "STATIC";

  const settingsResult = settings.data?.intent === "update" ? settings.data : null;
  const retiredResult =
    retireAll.state === "idle" && retireAll.data?.intent === "retire-unused" ? retireAll.data : null;
  const deleteRecheck = remove.data?.intent === "delete" ? remove.data.unused : null;
  const unusedToRetire = deleteRecheck ?? stats.available;

  const initial: PoolFormValues = {
    name: pool.name,
    description: pool.description ?? "",
    kind: pool.kind,
    lowStockThreshold: pool.lowStockThreshold === null ? "" : String(pool.lowStockThreshold),
    emptyBehavior: pool.emptyBehavior as EmptyBehavior,
    fallbackCode: pool.fallbackCode ?? "",
    dynamic: pool.dynamicForm,
  };

  return (
    <Page
      title={pool.name}
      titleMetadata={<PoolKindBadge kind={pool.kind} />}
      subtitle={pool.description ?? `Created ${pool.createdAt}`}
      backAction={{ content: "Pools", url: appHref("/app/pools", search) }}
      secondaryActions={[
        ...(isStatic
          ? [{ content: "Retire unused codes", disabled: stats.available === 0, onAction: () => setRetireOpen(true) }]
          : []),
        { content: "Delete pool", destructive: true, onAction: () => setDeleteOpen(true) },
      ]}
    >
      <Layout>
        {pool.low ? (
          <Layout.Section>
            <Banner tone="warning" title="This pool is running low">
              <p>
                {plural(stats.available, "code")} left. {stats.forecast}. Upload or generate more codes so customers
                keep getting theirs.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {!isStatic && !pool.settings ? (
          <Layout.Section>
            <Banner tone="warning" title="This pool's code settings are missing">
              <p>It cannot create codes until you save its settings below.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {retiredResult ? (
          <Layout.Section>
            <Banner tone="success" title={`${plural(retiredResult.retired, "unused code")} retired`} />
          </Layout.Section>
        ) : null}

        {pool.settings ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Each code
                </Text>
                <DataTable
                  columnContentTypes={["text", "text"]}
                  headings={[]}
                  rows={[
                    ["Value", pool.settings.value],
                    ["Applies to", pool.settings.appliesTo],
                    ["Who can use it", pool.settings.usableBy],
                    ["Usage", pool.settings.usage],
                    ["Expires", pool.settings.expiry],
                    ["Combines", pool.settings.combinesWith],
                    ["Code", pool.settings.codeShape],
                  ]}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}

        <Layout.Section>
          {isStatic ? null : (
            <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
              <Stat
                label="Codes created"
                value={formatNumber(stats.total)}
                detail={stats.pending > 0 ? `${formatNumber(stats.pending)} being created` : "Never runs out"}
              />
              <Stat label="Assigned" value={formatNumber(stats.assigned)} />
              <Stat label="Redeemed" value={formatNumber(stats.redeemed)} />
              <Stat
                label="Revoked or expired"
                value={formatNumber(stats.retired + stats.expired)}
                detail={`${formatNumber(stats.retired)} revoked, ${formatNumber(stats.expired)} expired`}
              />
            </InlineGrid>
          )}
          {isStatic ? (
            <InlineGrid columns={{ xs: 2, md: 5 }} gap="400">
              <Stat label="Total codes" value={formatNumber(stats.total)} />
              <Stat
                label="Available"
                value={formatNumber(stats.available)}
                detail={stats.percentRemaining === null ? undefined : `${stats.percentRemaining}% remaining`}
              />
              <Stat label="Assigned" value={formatNumber(stats.assigned)} />
              <Stat label="Redeemed" value={formatNumber(stats.redeemed)} />
              <Stat
                label="Retired or expired"
                value={formatNumber(stats.retired + stats.expired)}
                detail={`${formatNumber(stats.retired)} retired, ${formatNumber(stats.expired)} expired`}
              />
            </InlineGrid>
          ) : null}
        </Layout.Section>

        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineGrid columns="1fr auto" gap="200">
                <BlockStack gap="050">
                  <Text as="h2" variant="headingMd">
                    Codes issued per day
                  </Text>
                  <Text as="p" tone="subdued">
                    Last 30 days · {plural(stats.issued30Days, "code")} issued, {formatNumber(stats.issuedLast7Days)} in
                    the last 7 days
                  </Text>
                </BlockStack>
                <Box>
                  <Badge tone={stats.forecast.startsWith("Runs out") ? "attention" : undefined}>
                    {isStatic ? stats.forecast : "Dynamic"}
                  </Badge>
                </Box>
              </InlineGrid>
              <IssuesChart
                days={stats.daily}
                title={`Codes issued per day over the last 30 days: ${formatNumber(stats.issued30Days)} in total, ${formatNumber(stats.issuedLast7Days)} in the last 7 days`}
              />
            </BlockStack>
          </Card>
        </Layout.Section>

        {isStatic ? (
          <Layout.Section>
            <BlockStack gap="400">
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400" alignItems="start">
                <UploadCard
                  busy={upload.busy}
                  onFile={(f) => void upload.uploadFile(f)}
                  onText={(t) => void upload.uploadText(t)}
                />
                <GenerateCard poolId={pool.id} />
              </InlineGrid>
              <UploadStatus state={upload.state} progress={upload.progress} onDismiss={upload.reset} />
              <RedeemableCard poolId={pool.id} />
            </BlockStack>
          </Layout.Section>
        ) : null}

        <Layout.Section>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Codes
            </Text>
            <CodesCard view={codes} kind={pool.kind} />
          </BlockStack>
        </Layout.Section>

        {isStatic ? (
          <Layout.Section>
            <Card padding="0">
              <Box padding="400" paddingBlockEnd="200">
                <Text as="h2" variant="headingMd">
                  Recent uploads and generations
                </Text>
              </Box>
              {imports.length === 0 ? (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    Nothing added yet.
                  </Text>
                </Box>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "numeric", "numeric", "numeric", "text"]}
                  headings={["Started", "Source", "File", "Status", "Added", "Duplicates", "Rejected", "Report"]}
                  rows={imports.map((r) => [
                    r.createdAt,
                    r.source,
                    <div key={`${r.id}-file`} style={{ whiteSpace: "normal", overflowWrap: "anywhere", maxWidth: 200 }}>
                      {r.fileName ?? "—"}
                    </div>,
                    <BlockStack key={r.id} gap="050">
                      <span>
                        <ImportStatusBadge status={r.status} />
                      </span>
                      {r.error ? (
                        <div style={{ whiteSpace: "normal", maxWidth: 280 }}>
                          <Text as="span" tone="critical" variant="bodySm">
                            {r.error}
                          </Text>
                        </div>
                      ) : null}
                    </BlockStack>,
                    formatNumber(r.accepted),
                    formatNumber(r.duplicates),
                    formatNumber(r.rejected),
                    <ImportReportLink
                      key={`${r.id}-report`}
                      poolId={pool.id}
                      importId={r.id}
                      label={`${r.fileName ?? r.source}, started ${r.createdAt}`}
                    />,
                  ])}
                />
              )}
            </Card>
          </Layout.Section>
        ) : null}

        <Layout.AnnotatedSection
          id="pool-settings"
          title="Settings"
          description={
            isStatic
              ? `Name, low-stock alert and what happens when the pool is empty (now: ${EMPTY_BEHAVIOR_LABELS[pool.emptyBehavior as EmptyBehavior].toLowerCase()}).`
              : "Name and how each code is created. Changes apply to codes issued from now on; codes already created keep theirs."
          }
        >
          <Card>
            <BlockStack gap="400">
              {settingsResult?.saved && settings.state === "idle" ? (
                <Banner tone="success" title="Settings saved">
                  {settingsResult.templatesUpdated > 0 ? (
                    <Text as="p">
                      {settingsResult.templatesUpdated === 1
                        ? "1 message template named this pool: it now uses the new name."
                        : `${settingsResult.templatesUpdated} message templates named this pool: they now use the new name.`}
                    </Text>
                  ) : null}
                </Banner>
              ) : null}
              <PoolForm
                fetcher={settings}
                initial={initial}
                errors={settingsResult?.errors}
                kindLocked
                submitLabel="Save settings"
                intent="update"
                platform={platform}
                saved={settingsResult?.saved ? settingsResult : null}
              />
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>

      <Modal
        open={retireOpen}
        onClose={() => setRetireOpen(false)}
        title="Retire unused codes?"
        primaryAction={{
          content: `Retire ${plural(stats.available, "code")}`,
          destructive: true,
          onAction: () => {
            retireAll.submit({ intent: "retire-unused" }, { method: "post" });
            setRetireOpen(false);
          },
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setRetireOpen(false) }]}
      >
        <Modal.Section>
          <Text as="p">
            {plural(stats.available, "unused code")} will be retired and never given out. Codes already given out stay
            with their customers. This cannot be undone.
          </Text>
        </Modal.Section>
      </Modal>

      <Modal
        open={deleteOpen}
        onClose={() => setDeleteOpen(false)}
        title={`Delete "${pool.name}"?`}
        primaryAction={{
          content: "Delete pool",
          destructive: true,
          loading: remove.state !== "idle",
          onAction: () =>
            remove.submit({ intent: "delete", confirmUnused: String(unusedToRetire) }, { method: "post" }),
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setDeleteOpen(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            {deleteRecheck !== null ? (
              <Banner tone="warning" title="The pool changed since you opened this">
                <p>Check the number below and confirm again.</p>
              </Banner>
            ) : null}
            <Text as="p" fontWeight="semibold">
              {unusedToRetire === 0
                ? "The pool has no unused codes."
                : `${plural(unusedToRetire, "unused code")} will be retired and never given out.`}
            </Text>
            <Text as="p">
              Codes already given out ({formatNumber(stats.assigned + stats.redeemed)}) stay with their customers and in
              your reports. This cannot be undone.
            </Text>
            <DependentsList
              dependents={dependents}
              consequence="These issue codes from it, or name it in a placeholder, and will give none (messages that show the code are skipped):"
            />
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
