// One campaign: start, pause, resume or stop it (or send a broadcast), delete a draft, what it does, and what it
// earned. Stopping, and starting one that runs at once for the segment's current members, are confirmed first.
import { useEffect, useState } from "react";
import { Badge, Banner, BlockStack, Card, InlineStack, Layout, List, Modal, Page, ProgressBar, Text } from "@shopify/polaris";
import {
  data,
  redirect,
  useFetcher,
  useLoaderData,
  useLocation,
  useRevalidator,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "react-router";
import { requireAdmin } from "../auth.server";
import { BulkActionsCard, bulkActionsOpen } from "../components/campaigns/BulkActionsCard";
import { CampaignStatusBadge } from "../components/campaigns/CampaignStatusBadge";
import { NotFoundPage } from "../components/NotFoundPage";
import { plural } from "../components/pools/format";
import { appHref } from "../components/pools/links";
import { ResultsCard } from "../components/results/ResultsCard";
import { resultsView } from "../components/results/results-view.server";
import { actionLabel, CampaignAction } from "../domain/campaigns/campaign";
import { startBroadcast } from "../services/campaigns/broadcast.server";
import { bulkActionSummary } from "../services/campaigns/bulk-actions.server";
import { actionTargetNames, changeCampaignStatus, deleteCampaign, getCampaign } from "../services/campaigns/campaigns.server";
import { campaignRunCounts } from "../services/campaigns/runs.server";
import { results } from "../services/results.server";
import { isUuid } from "../domain/ids";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const campaignId = params.campaignId ?? "";
  const campaign = isUuid(campaignId) ? await getCampaign(admin.db, campaignId) : null;
  if (!campaign) return data({ found: false as const }, { status: 404 });
  const [view, runs, names, bulkActions] = await Promise.all([
    results(admin.db, admin.shopId, { type: "campaign", id: campaign.id }).then((r) => resultsView(r, null)),
    campaignRunCounts(admin.db, campaign.id),
    actionTargetNames(admin.db),
    campaign.kind === "BROADCAST" ? bulkActionSummary(admin.db, admin.shopId, campaign.id) : Promise.resolve([]),
  ]);
  const parsedActions = (campaign.actions as unknown[]).map((raw) => CampaignAction.safeParse(raw));
  const actions = parsedActions.map((parsed) => {
    if (!parsed.success) return "An action that is no longer valid";
    const action = parsed.data;
    if (action.type === "issue_code") return `Issue a code from ${names.get(action.poolId) ?? "a deleted pool"}`;
    if (action.type === "send_message") return `Send ${names.get(action.templateId) ?? "a deleted template"}`;
    return actionLabel(action);
  });
  return {
    found: true as const,
    campaign: {
      id: campaign.id,
      name: campaign.name,
      kind: campaign.kind,
      status: campaign.status,
      segment: campaign.segment ? { id: campaign.segment.id, name: campaign.segment.name, members: campaign.segment.memberCount, deleted: !!campaign.segment.deletedAt } : null,
      repeatOnReentry: campaign.repeatOnReentry,
      includeExisting: campaign.includeExisting,
      skipped: campaign.skippedCount,
      startedAt: campaign.startedAt?.toISOString() ?? null,
      recipientsTotal: campaign.recipientsTotal,
      recipientsDone: campaign.recipientsDone,
      finishedAt: campaign.finishedAt?.toISOString() ?? null,
      actions,
      // What a run gives each customer, for the start confirmation.
      issuesCode: parsedActions.some((p) => p.success && p.data.type === "issue_code"),
      sendsMessage: parsedActions.some((p) => p.success && p.data.type === "send_message"),
    },
    runs,
    results: view,
    bulkActions,
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const intent = String((await request.formData()).get("intent") ?? "");
  const campaignId = params.campaignId ?? "";
  if (!isUuid(campaignId)) return { error: "This campaign doesn't exist any more" };
  if (intent === "send") {
    const sent = await startBroadcast(admin.db, admin.shopId, campaignId);
    if (sent.type === "started") return { error: null, intent, runsStarted: sent.recipients };
    if (sent.type === "resumed") return { error: null, intent, runsStarted: null };
    if (sent.type === "refused") return { error: sent.message };
    if (sent.type === "already_finished") return { error: "This broadcast was already sent" };
    return { error: "This broadcast doesn't exist any more" };
  }
  if (intent === "delete") {
    // Only a draft: it never ran, so nothing it did is lost. A started campaign is stopped instead, and keeps its results.
    const campaign = await getCampaign(admin.db, campaignId);
    if (!campaign) return { error: "This campaign doesn't exist any more" };
    if (campaign.status !== "DRAFT" || !(await deleteCampaign(admin.db, campaignId)).deleted) {
      return { error: "Only a draft can be deleted: this campaign has started. Stop it instead." };
    }
    throw redirect(appHref("/app/campaigns", new URL(request.url).search, { deleted: campaign.name }));
  }
  if (intent !== "start" && intent !== "pause" && intent !== "resume" && intent !== "stop") {
    return { error: `Unknown action ${intent}` };
  }
  const result = await changeCampaignStatus(admin.db, admin.shopId, campaignId, intent);
  if (result.type === "not_found") return { error: "This campaign doesn't exist any more" };
  if (result.type === "refused") return { error: result.message };
  return { error: null, runsStarted: result.runsStarted, intent };
};

export default function CampaignRoute() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.found) {
    return (
      <NotFoundPage title="Campaign not found" heading="This campaign does not exist" backLabel="Campaigns" backPath="/app/campaigns">
        It may have been deleted.
      </NotFoundPage>
    );
  }
  return <CampaignPage key={loaded.campaign.id} {...loaded} />;
}

type Loaded = Extract<Awaited<ReturnType<typeof loader>>, { found: true }>;

function CampaignPage({ campaign, runs, results: view, bulkActions }: Loaded) {
  const fetcher = useFetcher<typeof action>();
  const { search } = useLocation();
  const href = (path: string, extra?: Record<string, string>) => appHref(path, search, extra);
  const submit = (intent: string) => fetcher.submit({ intent }, { method: "post" });
  const busy = fetcher.state !== "idle";
  const automated = campaign.kind === "AUTOMATED";
  // Which confirmation is open: stopping is final, deleting a draft cannot be undone, and starting with "also run
  // for customers already in the segment" issues codes and sends messages to every current member at once.
  const [confirming, setConfirming] = useState<"stop" | "delete" | "start" | "send" | null>(null);
  const close = () => setConfirming(null);
  const confirmAndSubmit = (intent: string) => {
    submit(intent);
    close();
  };
  const startNeedsConfirmation = campaign.includeExisting && campaign.segment !== null;
  // While a broadcast is being sent (or Shopify is still updating its members), its progress is re-read every two seconds.
  const revalidator = useRevalidator();
  const sending = !automated && ((campaign.recipientsTotal !== null && !campaign.finishedAt) || bulkActionsOpen(bulkActions));
  useEffect(() => {
    if (!sending) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") void revalidator.revalidate();
    }, 2000);
    return () => clearInterval(timer);
  }, [sending, revalidator]);
  const primary =
    campaign.status === "DRAFT" && automated
      ? { content: "Start", onAction: () => (startNeedsConfirmation ? setConfirming("start") : submit("start")), loading: busy }
      : campaign.status === "DRAFT"
        ? { content: "Send now", onAction: () => (campaign.segment ? setConfirming("send") : submit("send")), loading: busy }
        : !automated
          ? undefined
          : campaign.status === "ACTIVE"
        ? { content: "Pause", onAction: () => submit("pause"), loading: busy }
        : campaign.status === "PAUSED"
          ? { content: "Resume", onAction: () => submit("resume"), loading: busy }
          : undefined;
  const secondary = [
    ...(campaign.status !== "STOPPED" ? [{ content: "Edit", url: href(`/app/campaigns/${campaign.id}/edit`) }] : []),
    // A draft never ran: stopping it would only leave a campaign that can't be edited or started, so it is deleted instead.
    ...(campaign.status === "DRAFT" ? [{ content: "Delete", destructive: true, onAction: () => setConfirming("delete") }] : []),
    // A broadcast can be stopped while it is sending (a mistaken one to a big segment): its unsent messages are skipped.
    ...((campaign.status === "ACTIVE" || campaign.status === "PAUSED") && (automated || (campaign.recipientsTotal !== null && !campaign.finishedAt))
      ? [{ content: "Stop", destructive: true, onAction: () => setConfirming("stop") }]
      : []),
    { content: "Runs on the tasks page", url: href("/app/tasks", { campaign: campaign.id }) },
  ];

  return (
    <Page
      title={campaign.name}
      titleMetadata={
        <InlineStack gap="100">
          <CampaignStatusBadge status={campaign.status} />
          {automated ? null : <Badge>Broadcast</Badge>}
        </InlineStack>
      }
      backAction={{ content: "Campaigns", url: href("/app/campaigns") }}
      primaryAction={primary}
      secondaryActions={secondary}
    >
      <Layout>
        {fetcher.data?.error ? (
          <Layout.Section>
            <Banner tone="critical" title={fetcher.data.error} />
          </Layout.Section>
        ) : null}
        {fetcher.data && !fetcher.data.error && fetcher.data.intent === "start" ? (
          <Layout.Section>
            <Banner tone="success" title={`Started. ${fetcher.data.runsStarted ?? 0} customers already in the segment get a run now.`} />
          </Layout.Section>
        ) : null}
        {fetcher.data && !fetcher.data.error && fetcher.data.intent === "send" ? (
          <Layout.Section>
            <Banner tone="success" title={fetcher.data.runsStarted === null ? "The broadcast is being sent." : `Sending to ${fetcher.data.runsStarted ?? 0} members.`} />
          </Layout.Section>
        ) : null}
        {!automated && campaign.recipientsTotal !== null ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Sending
                </Text>
                <ProgressBar progress={campaign.recipientsTotal ? Math.round((100 * campaign.recipientsDone) / campaign.recipientsTotal) : 100} />
                <Text as="p" tone="subdued">
                  {campaign.recipientsDone.toLocaleString("en-US")} of {campaign.recipientsTotal.toLocaleString("en-US")} members handled
                  {campaign.finishedAt ? " — finished" : ""}.
                </Text>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {bulkActions.length ? (
          <Layout.Section>
            <BulkActionsCard actions={bulkActions} />
          </Layout.Section>
        ) : null}
        {campaign.status === "PAUSED" ? (
          <Layout.Section>
            <Banner tone="warning" title="Paused: customers who enter the segment now get nothing">
              Runs already started finish. When you resume, the campaign picks up customers who enter from then on.
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <ResultsCard title="Results" results={view} />
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {automated ? "When it runs" : "Who it goes to"}
                </Text>
                <Text as="p">
                  {campaign.segment
                    ? `${automated ? "When a customer enters" : "Every current member of"} ${campaign.segment.name}${campaign.segment.deleted ? " (deleted)" : ""} — ${campaign.segment.members.toLocaleString("en-US")} members now.`
                    : "No segment picked."}
                </Text>
                {automated ? (
                  <List>
                    <List.Item>{campaign.repeatOnReentry ? "Runs again each time a customer re-enters" : "Once per customer, ever"}</List.Item>
                    <List.Item>
                      {campaign.includeExisting
                        ? campaign.status === "DRAFT"
                          ? "Also runs for members already there when it starts"
                          : "Also ran for members already there at start"
                        : "Only customers who enter after the start"}
                    </List.Item>
                  </List>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Actions
                </Text>
                <List type="number">
                  {campaign.actions.map((a, i) => (
                    <List.Item key={i}>{a}</List.Item>
                  ))}
                </List>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Runs
                </Text>
                <Text as="p">
                  {runs.total.toLocaleString("en-US")} runs: {runs.executed} done, {runs.pending} waiting, {runs.failed} failed, {runs.cancelled} cancelled.
                </Text>
                <Text as="p" tone={campaign.skipped > 0 ? "caution" : "subdued"}>
                  {campaign.skipped.toLocaleString("en-US")} messages skipped (empty pool or no address).
                </Text>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>

      <Modal
        open={confirming === "stop"}
        onClose={close}
        title={`Stop "${campaign.name}"?`}
        primaryAction={{ content: "Stop campaign", destructive: true, onAction: () => confirmAndSubmit("stop") }}
        secondaryActions={[
          ...(campaign.status === "ACTIVE" ? [{ content: "Pause instead", onAction: () => confirmAndSubmit("pause") }] : []),
          { content: "Cancel", onAction: close },
        ]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            <Text as="p" fontWeight="semibold">
              Stopping is final: the campaign can't be restarted or edited afterwards.
            </Text>
            {automated ? (
              <List>
                <List.Item>Runs not done yet are cancelled, and its messages still queued are skipped.</List.Item>
                <List.Item>Runs already done stay: codes issued and messages sent are not taken back, and its results stay here.</List.Item>
              </List>
            ) : (
              <List>
                <List.Item>Members not reached yet get nothing: the broadcast's messages still queued are skipped.</List.Item>
                <List.Item>Messages already sent, and the codes in them, are not taken back; its results stay here.</List.Item>
              </List>
            )}
            {campaign.status === "ACTIVE" ? (
              <Text as="p">
                To stop it for a while, pause it instead: customers who enter the segment meanwhile get nothing, and you
                can resume it later.
              </Text>
            ) : null}
          </BlockStack>
        </Modal.Section>
      </Modal>

      <Modal
        open={confirming === "delete"}
        onClose={close}
        title={`Delete "${campaign.name}"?`}
        primaryAction={{ content: "Delete campaign", destructive: true, onAction: () => confirmAndSubmit("delete") }}
        secondaryActions={[{ content: "Cancel", onAction: close }]}
      >
        <Modal.Section>
          <Text as="p">This draft has never run, so no customer got anything from it. Deleting it cannot be undone.</Text>
        </Modal.Section>
      </Modal>

      {campaign.segment ? (
        <Modal
          open={confirming === "start"}
          onClose={close}
          title={`Start "${campaign.name}"?`}
          primaryAction={{ content: "Start campaign", onAction: () => confirmAndSubmit("start") }}
          secondaryActions={[{ content: "Cancel", onAction: close }]}
        >
          <Modal.Section>
            <BlockStack gap="200">
              <Text as="p" fontWeight="semibold">
                {`${plural(campaign.segment.members, "member")} already in ${campaign.segment.name} ${campaign.segment.members === 1 ? "gets" : "get"} ${startGift(campaign)} now.`}
              </Text>
              <Text as="p">
                Customers who enter the segment later get the same. Codes issued and messages sent can't be taken back.
                To reach only customers who enter from now on, edit the campaign and turn off "Also run for customers
                already in the segment".
              </Text>
            </BlockStack>
          </Modal.Section>
        </Modal>
      ) : null}

      {campaign.segment && !automated ? (
        <Modal
          open={confirming === "send"}
          onClose={close}
          title={`Send "${campaign.name}" now?`}
          primaryAction={{ content: "Send now", onAction: () => confirmAndSubmit("send") }}
          secondaryActions={[{ content: "Cancel", onAction: close }]}
        >
          <Modal.Section>
            <BlockStack gap="200">
              <Text as="p" fontWeight="semibold">
                {`Every one of the ${plural(campaign.segment.members, "member")} of ${campaign.segment.name} gets ${startGift(campaign)}, starting at once.`}
              </Text>
              <Text as="p">Codes issued and messages sent can't be taken back. You can stop the broadcast while it is sending.</Text>
            </BlockStack>
          </Modal.Section>
        </Modal>
      ) : null}
    </Page>
  );
}

/** What each current member receives at the start, in words. */
function startGift({ issuesCode, sendsMessage }: { issuesCode: boolean; sendsMessage: boolean }): string {
  if (issuesCode && sendsMessage) return "a code and a message";
  if (issuesCode) return "a code";
  if (sendsMessage) return "a message";
  return "a run of this campaign's actions";
}
