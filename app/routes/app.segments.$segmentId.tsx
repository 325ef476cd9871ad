// One segment: its member count (polled live), a sample of its members with the products that made them enter, the
// latest entries and exits, its rules in words, the builder to edit them, and deleting it.
import {
  Badge,
  BlockStack,
  Box,
  Card,
  DataTable,
  InlineGrid,
  InlineStack,
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
import { NotFoundPage } from "../components/NotFoundPage";
import { formatNumber, plural } from "../components/pools/format";
import { appHref } from "../components/pools/links";
import { draftOf, EMPTY_RULES } from "../components/segments/draft";
import { segmentLiveView } from "../components/segments/live.server";
import { SegmentForm } from "../components/segments/SegmentForm";
import { segmentFormErrors, segmentInputFromForm } from "../components/segments/segment-form.server";
import { useLiveSegment } from "../components/segments/useLiveSegment";
import { builderOptions, deleteSegment, getSegment, updateSegment } from "../services/segments/segments.server";
import { isUuid } from "../domain/ids";
import { DependentsList } from "../components/DependentsList";
import { dependentsOf } from "../services/dependents.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const segmentId = params.segmentId ?? "";
  const segment = isUuid(segmentId) ? await getSegment(admin.db, segmentId) : null;
  if (!segment) return data({ found: false as const }, { status: 404 });
  const [live, options, dependents] = await Promise.all([
    segmentLiveView(admin.db, segmentId),
    builderOptions(admin.db, admin.shopId),
    dependentsOf(admin.db, { segmentId }),
  ]);
  return {
    found: true as const,
    saved: new URL(request.url).searchParams.get("saved") === "1",
    segment: {
      id: segment.id,
      name: segment.name,
      description: segment.description,
      rules: segment.rules,
      version: segment.version,
    },
    live: live!,
    options,
    dependents,
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const segmentId = params.segmentId ?? "";
  const form = await request.formData();
  const search = new URL(request.url).search;
  if (form.get("intent") === "delete") {
    const result = await deleteSegment(admin.db, segmentId);
    if (result.type === "deleted") throw redirect(appHref("/app/segments", search, { deleted: result.name }));
    return { errors: { form: "This segment no longer exists." } as Record<string, string> };
  }
  const input = segmentInputFromForm(form);
  if ("error" in input) return { errors: { form: input.error } as Record<string, string> };
  const result = await updateSegment(admin.db, admin.shopId, segmentId, input);
  if (result.type === "saved") throw redirect(appHref(`/app/segments/${segmentId}`, search, { saved: "1" }));
  return { errors: segmentFormErrors(result, input) };
};

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          {label}
        </Text>
        <span data-testid={testId}>
          <Text as="p" variant="heading2xl" numeric>
            {value}
          </Text>
        </span>
      </BlockStack>
    </Card>
  );
}

export default function SegmentPage() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.found) {
    return (
      <NotFoundPage title="Segment" heading="This segment does not exist" backLabel="Segments" backPath="/app/segments">
        It may have been deleted, or it belongs to another store.
      </NotFoundPage>
    );
  }
  // A save redirects back here: new rules (a new version) or a new name start the page, and its form, afresh.
  return <SegmentView key={`${loaded.segment.id}:${loaded.segment.version}:${loaded.segment.name}`} {...loaded} />;
}

function SegmentView({
  segment,
  live: initial,
  options,
  saved,
  dependents,
}: Extract<ReturnType<typeof useLoaderData<typeof loader>>, { found: true }>) {
  const live = useLiveSegment(segment.id, initial);
  const { search } = useLocation();
  const editFetcher = useFetcher<typeof action>();
  const deleteFetcher = useFetcher<typeof action>();
  const [confirming, setConfirming] = useState(false);
  const initialRules = segment.rules ? draftOf(segment.rules) : EMPTY_RULES;

  return (
    <Page
      title={segment.name}
      backAction={{ content: "Segments", url: appHref("/app/segments", search) }}
      secondaryActions={[{ content: "Delete segment", destructive: true, onAction: () => setConfirming(true) }]}
    >
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
            <Stat label="Members now" value={formatNumber(live.memberCount)} testId="member-count" />
            <Card>
              <BlockStack gap="200">
                <Text as="p" tone="subdued">
                  Status
                </Text>
                <InlineStack gap="200">
                  {live.recomputing ? (
                    <Badge tone="info">Counting existing customers</Badge>
                  ) : (
                    <Badge tone="success">Up to date</Badge>
                  )}
                  {live.pending > 0 ? (
                    <Badge tone="attention">{`${plural(live.pending, "customer")} to evaluate`}</Badge>
                  ) : null}
                </InlineStack>
                <Text as="p" tone="subdued" variant="bodySm">
                  Updates every few seconds as storefront events, orders and codes come in.
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="p" tone="subdued">
                  Rules
                </Text>
                <Text as="p">{segment.description}</Text>
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        {saved ? (
          <Layout.Section>
            <Box padding="300" background="bg-surface-success" borderRadius="200">
              <Text as="p">
                Segment saved. Existing customers are re-evaluated against the new rules in the background.
              </Text>
            </Box>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            <Box padding="400">
              <Text as="h2" variant="headingMd">
                Members
              </Text>
            </Box>
            <div data-testid="member-sample">
              {live.sample.length === 0 ? (
                <Box padding="400" paddingBlockStart="0">
                  <Text as="p" tone="subdued">
                    No members yet. Customers appear here as soon as they match.
                  </Text>
                </Box>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={["Customer", "Entered", "Leaves unless active again", "Because of"]}
                  rows={live.sample.map((m) => [
                    m.email && m.email !== m.name ? `${m.name} (${m.email})` : m.name,
                    m.enteredAt,
                    m.expiresAt ?? "—",
                    m.products.length
                      ? m.products.slice(0, 3).join(", ") +
                        (m.products.length > 3 ? ` and ${m.products.length - 3} more` : "")
                      : "—",
                  ])}
                />
              )}
            </div>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Latest entries and exits
              </Text>
              {live.recent.length === 0 ? (
                <Text as="p" tone="subdued">
                  None yet.
                </Text>
              ) : (
                <BlockStack gap="100">
                  {live.recent.map((t) => (
                    <InlineStack key={t.id} gap="200">
                      <Badge tone={t.kind === "ENTER" ? "success" : undefined}>
                        {t.kind === "ENTER" ? "Entered" : "Left"}
                      </Badge>
                      <Text as="span">{t.customerName}</Text>
                      <Text as="span" tone="subdued">
                        {t.at}
                      </Text>
                    </InlineStack>
                  ))}
                </BlockStack>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Edit rules
            </Text>
            <SegmentForm
              fetcher={editFetcher}
              initialName={segment.name}
              initialRules={initialRules}
              options={options}
              errors={editFetcher.data?.errors}
              submitLabel="Save changes"
            />
          </BlockStack>
        </Layout.Section>
      </Layout>
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={`Delete "${segment.name}"?`}
        primaryAction={{
          content: "Delete segment",
          destructive: true,
          loading: deleteFetcher.state !== "idle",
          onAction: () => deleteFetcher.submit({ intent: "delete" }, { method: "post" }),
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            <Text as="p">
              {`Its ${plural(live.memberCount, "member")} leave it and campaigns on it stop getting new entries. Past entries and exits are kept.`}
            </Text>
            <DependentsList dependents={dependents} consequence="These campaigns run on it and will get no new entries:" />
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
