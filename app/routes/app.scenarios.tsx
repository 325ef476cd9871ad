// Scenarios: every order-triggered scenario with its trigger, delay, whether it is on, and how its tasks went.
import { Badge, Banner, BlockStack, Card, EmptyState, IndexTable, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import { useLoaderData, useLocation, useNavigate, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { appHref } from "../components/pools/links";
import { delayLabel, TASK_STATUS_LABELS, triggerLabel } from "../components/scenarios/labels";
import { listScenarios } from "../services/scenarios/scenarios.server";
import { RowLink } from "../components/RowLink";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const scenarios = await listScenarios(admin.db);
  return {
    deleted: new URL(request.url).searchParams.get("deleted"),
    scenarios: scenarios.map((s) => ({
      id: s.id,
      name: s.name,
      active: s.active,
      trigger: triggerLabel(s.trigger),
      delay: delayLabel(s.delay),
      counts: s.counts,
      total: Object.values(s.counts).reduce((a, b) => a + b, 0),
    })),
  };
};

const COUNTED = ["PENDING", "EXECUTED", "SUCCEEDED", "CONDITIONS_NOT_MET", "CANCELLED", "FAILED"] as const;

export default function ScenariosPage() {
  const { scenarios, deleted } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const navigate = useNavigate();
  const createUrl = appHref("/app/scenarios/new", search);

  return (
    <Page title="Scenarios" subtitle="Codes and messages that follow what customers do with their orders" primaryAction={{ content: "Create scenario", url: createUrl }}>
      <Layout>
        {deleted !== null ? (
          <Layout.Section>
            <Banner tone="success" title={`Scenario "${deleted}" deleted`} onDismiss={() => navigate(appHref("/app/scenarios", search), { replace: true })} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            {scenarios.length === 0 ? (
              <EmptyState heading="No scenarios yet" action={{ content: "Create scenario", url: createUrl }} image="">
                <p>
                  A scenario reacts to an order (created, paid, cancelled, completed), a new customer or a review: after a delay it generates a code and
                  sends it, unless a cancellation condition is met first.
                </p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "scenario", plural: "scenarios" }}
                itemCount={scenarios.length}
                selectable={false}
                headings={[{ title: "Name" }, { title: "Status" }, { title: "Trigger" }, { title: "Delay" }, { title: "Tasks" }]}
              >
                {scenarios.map((s, i) => (
                  <IndexTable.Row id={s.id} key={s.id} position={i}>
                    <IndexTable.Cell>
                      <RowLink url={appHref(`/app/scenarios/${s.id}`, search)}>{s.name}</RowLink>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{s.active ? <Badge tone="success">Active</Badge> : <Badge>Inactive</Badge>}</IndexTable.Cell>
                    <IndexTable.Cell>{s.trigger}</IndexTable.Cell>
                    <IndexTable.Cell>{s.delay}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {s.total === 0 ? (
                        <Text as="span" tone="subdued">
                          None yet
                        </Text>
                      ) : (
                        <BlockStack gap="050">
                          <InlineStack gap="200" wrap>
                            {COUNTED.filter((status) => s.counts[status] > 0).map((status) => (
                              <Text as="span" key={status} numeric>
                                {TASK_STATUS_LABELS[status]}: {s.counts[status]}
                              </Text>
                            ))}
                          </InlineStack>
                          <Link url={appHref("/app/tasks", search, { source: `scenario:${s.id}` })}>See tasks</Link>
                        </BlockStack>
                      )}
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
