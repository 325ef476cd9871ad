import { Badge, Banner, BlockStack, Card, InlineGrid, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { useLoaderData, useLocation, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { appHref } from "../components/pools/links";
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

type Setup = { pool: boolean; template: boolean; segment: boolean; campaign: boolean; scenario: boolean };

/** Set up once the shop has codes to give, a message to send them in, and something that sends it. */
function isSetUp(setup: Setup): boolean {
  return setup.pool && setup.template && (setup.campaign || setup.scenario);
}

function Step({ done, children }: { done: boolean; children: ReactNode }) {
  return (
    <li data-testid="get-started-step" data-done={done ? "true" : "false"}>
      <InlineStack gap="200" blockAlign="center" wrap={false}>
        {done ? (
          <Badge tone="success" progress="complete">
            Done
          </Badge>
        ) : (
          <Badge progress="incomplete">To do</Badge>
        )}
        <Text as="span" tone={done ? "subdued" : undefined}>
          {children}
        </Text>
      </InlineStack>
    </li>
  );
}

/** A new shop's first steps, in order, each a link, ticked once done. */
function GetStarted({ setup }: { setup: Setup }) {
  const { search } = useLocation();
  const href = (path: string) => appHref(path, search);
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Get started
          </Text>
          <Text as="p" tone="subdued">
            Give your customers their first promo codes in four steps.
          </Text>
        </BlockStack>
        <ol
          data-testid="get-started"
          style={{ margin: 0, paddingInlineStart: "var(--p-space-500)", display: "grid", gap: "var(--p-space-200)" }}
        >
          <Step done={setup.pool}>
            <Link url={href(setup.pool ? "/app/pools" : "/app/pools/new")}>Create a pool and add codes</Link>: upload
            your codes or generate them.
          </Step>
          <Step done={setup.template}>
            <Link url={href(setup.template ? "/app/templates" : "/app/templates/new")}>Write a message template</Link>:
            the email or SMS that carries a code.
          </Step>
          <Step done={setup.segment}>
            <Link url={href(setup.segment ? "/app/segments" : "/app/segments/new")}>Build a segment</Link>: the
            customers a campaign is for.
          </Step>
          <Step done={setup.campaign || setup.scenario}>
            <Link url={href(setup.campaign ? "/app/campaigns" : "/app/campaigns/new")}>Start a campaign</Link>, or{" "}
            <Link url={href(setup.scenario ? "/app/scenarios" : "/app/scenarios/new")}>set up an order scenario</Link>{" "}
            that sends a code after an order.
          </Step>
        </ol>
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
        {isSetUp(o.setup) ? null : (
          <Layout.Section>
            <GetStarted setup={o.setup} />
          </Layout.Section>
        )}
        <Layout.Section>
          <ResultsCard title="Results" results={o.results} />
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
