// Campaigns: each with its segment, status, and what it has done (issued, delivered, redeemed, revenue).
import { Badge, Banner, BlockStack, Card, EmptyState, IndexTable, InlineStack, Link, Page, Text } from "@shopify/polaris";
import { useLoaderData, useLocation, useNavigate, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { CampaignStatusBadge } from "../components/campaigns/CampaignStatusBadge";
import { appHref } from "../components/pools/links";
import { resultsView } from "../components/results/results-view.server";
import { listCampaigns } from "../services/campaigns/campaigns.server";
import { results } from "../services/results.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const campaigns = await listCampaigns(admin.db);
  const rows = await Promise.all(
    campaigns.map(async (c) => {
      const view = resultsView(await results(admin.db, admin.shopId, { type: "campaign", id: c.id }, { days: 1 }), null);
      return {
        id: c.id,
        name: c.name,
        kind: c.kind,
        status: c.status,
        segment: c.segment ? (c.segment.deletedAt ? `${c.segment.name} (deleted)` : c.segment.name) : "—",
        members: c.segment?.memberCount ?? 0,
        skipped: c.skippedCount,
        issued: view.issued,
        delivered: view.delivered,
        redeemed: view.redeemed,
        rate: view.rate,
        revenue: view.revenue,
      };
    }),
  );
  return { campaigns: rows, deleted: new URL(request.url).searchParams.get("deleted") };
};

export default function CampaignsPage() {
  const { campaigns, deleted } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const navigate = useNavigate();
  const href = (path: string, extra?: Record<string, string>) => appHref(path, search, extra);
  return (
    <Page
      title="Campaigns"
      primaryAction={{ content: "New campaign", url: href("/app/campaigns/new") }}
      secondaryActions={[{ content: "New broadcast", url: href("/app/campaigns/new", { kind: "broadcast" }) }]}
    >
      <BlockStack gap="400">
        {deleted !== null ? (
          <Banner tone="success" title={`Campaign "${deleted}" deleted`} onDismiss={() => navigate(href("/app/campaigns"), { replace: true })} />
        ) : null}
        <Card padding="0">
          {campaigns.length === 0 ? (
            <EmptyState
              heading="Send a code when a customer enters a segment"
              action={{ content: "New campaign", url: href("/app/campaigns/new") }}
              secondaryAction={{ content: "New broadcast", url: href("/app/campaigns/new", { kind: "broadcast" }) }}
              image=""
            >
              <Text as="p">A campaign issues a code from a pool and delivers it in a message, once per customer or on every entry.</Text>
            </EmptyState>
          ) : (
            <IndexTable
              resourceName={{ singular: "campaign", plural: "campaigns" }}
              itemCount={campaigns.length}
              selectable={false}
              headings={[
                { title: "Name" },
                { title: "Status" },
                { title: "Segment" },
                { title: "Issued", alignment: "end" },
                { title: "Delivered", alignment: "end" },
                { title: "Redeemed", alignment: "end" },
                { title: "Rate", alignment: "end" },
                { title: "Net revenue", alignment: "end" },
              ]}
            >
              {campaigns.map((c, index) => (
                <IndexTable.Row id={c.id} key={c.id} position={index}>
                  <IndexTable.Cell>
                    <InlineStack gap="200" blockAlign="center">
                      <Link url={href(`/app/campaigns/${c.id}`)} removeUnderline>
                        <Text as="span" fontWeight="semibold">
                          {c.name}
                        </Text>
                      </Link>
                      {c.kind === "BROADCAST" ? <Badge>Broadcast</Badge> : null}
                    </InlineStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <CampaignStatusBadge status={c.status} />
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    {c.segment} <Text as="span" tone="subdued">({c.members.toLocaleString("en-US")})</Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {c.issued.toLocaleString("en-US")}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {c.delivered.toLocaleString("en-US")}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {c.redeemed.toLocaleString("en-US")}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {c.rate}
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end" numeric>
                      {c.revenue}
                    </Text>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
