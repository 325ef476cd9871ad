import { Banner, BlockStack, Card, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { useLoaderData, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { LowStockBanner } from "../components/pools/LowStockBanner";
import { ResultsCard } from "../components/results/ResultsCard";
import { resultsView } from "../components/results/results-view.server";
import { shopOverview } from "../services/overview.server";
import { results } from "../services/results.server";
import { lowStockPools } from "../services/pools/stock.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const [overview, lowStock, shopResults] = await Promise.all([
    shopOverview(admin.db),
    lowStockPools(admin.db),
    results(admin.db, admin.shopId, { type: "shop" }),
  ]);
  return {
    ...overview,
    results: resultsView(shopResults, null),
    shop: { ...overview.shop, installedAt: overview.shop.installedAt.toISOString() },
    lowStock: lowStock.map((p) => ({ id: p.id, name: p.name })),
  };
};

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="heading2xl">
          {value.toLocaleString("en-US")}
        </Text>
      </BlockStack>
    </Card>
  );
}

export default function Home() {
  const o = useLoaderData<typeof loader>();
  return (
    <Page title="Home" subtitle={o.shop.name ?? o.shop.domain}>
      <Layout>
        {o.failures > 0 ? (
          <Layout.Section>
            <Banner tone="critical" title={`${o.failures} background job(s) failed permanently`}>
              <p>See Settings for the details.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {o.lowStock.length > 0 ? (
          <Layout.Section>
            <LowStockBanner pools={o.lowStock} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <ResultsCard title="Last 30 days" results={o.results} />
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            <Stat label="Active campaigns" value={o.activeCampaigns} />
            <Stat label="Active scenarios" value={o.activeScenarios} />
            <Stat label="Tasks waiting" value={o.pendingTasks} />
            <Stat label="Segments" value={o.segments} />
            <Stat label="Pools" value={o.pools} />
            <Stat label="Codes available" value={o.codesAvailable} />
            <Stat label="Customers" value={o.customers} />
            <Stat label="Orders" value={o.orders} />
            <Stat label="Events received" value={o.events} />
            <Stat label="Failed jobs" value={o.failures} />
          </InlineGrid>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
