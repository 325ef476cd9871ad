// Segments: every segment with its current member count and its rules in words.
import { Badge, Banner, BlockStack, Card, EmptyState, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { useLoaderData, useLocation, useNavigate, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { formatDateTime, formatNumber } from "../components/pools/format";
import { appHref } from "../components/pools/links";
import { listSegments } from "../services/segments/segments.server";
import { RowLink } from "../components/RowLink";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const segments = await listSegments(admin.db);
  return {
    deleted: new URL(request.url).searchParams.get("deleted"),
    segments: segments.map((s) => ({
      id: s.id,
      name: s.name,
      memberCount: s.memberCount,
      description: s.description,
      recomputing: s.recomputing,
      valid: s.valid,
      updatedAt: formatDateTime(s.updatedAt),
    })),
  };
};

export default function SegmentsPage() {
  const { segments, deleted } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const navigate = useNavigate();
  const createUrl = appHref("/app/segments/new", search);
  return (
    <Page
      title="Segments"
      subtitle="Customers grouped by what they viewed, bought and redeemed, kept current as it happens"
      primaryAction={{ content: "Create segment", url: createUrl }}
    >
      <Layout>
        {deleted !== null ? (
          <Layout.Section>
            <Banner
              tone="success"
              title={`Segment "${deleted}" deleted`}
              onDismiss={() => navigate(appHref("/app/segments", search), { replace: true })}
            />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            {segments.length === 0 ? (
              <EmptyState heading="No segments yet" action={{ content: "Create segment", url: createUrl }} image="">
                <p>
                  A segment is a rule over storefront activity, orders, customer details and promo codes. Customers
                  enter and leave it as it happens; campaigns send codes to those who enter.
                </p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "segment", plural: "segments" }}
                itemCount={segments.length}
                selectable={false}
                headings={[
                  { title: "Name" },
                  { title: "Members", alignment: "end" },
                  { title: "Rules" },
                  { title: "Last edited" },
                ]}
              >
                {segments.map((s, i) => (
                  <IndexTable.Row id={s.id} key={s.id} position={i}>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        <RowLink url={appHref(`/app/segments/${s.id}`, search)}>{s.name}</RowLink>
                        {s.recomputing ? (
                          <span>
                            <Badge tone="info" size="small">
                              Counting existing customers
                            </Badge>
                          </span>
                        ) : null}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatNumber(s.memberCount)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <div style={{ whiteSpace: "normal", maxWidth: 560 }}>
                        <Text as="span" tone={s.valid ? undefined : "critical"}>
                          {s.description}
                        </Text>
                      </div>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" tone="subdued">
                        {s.updatedAt}
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
