// Pools: every pool with its stock, how fast it is being used and when it runs out. Dynamic pools create each
// code when it is issued, so they have no stock: their total is the codes created so far.
import {
  Badge,
  BlockStack,
  Banner,
  Card,
  EmptyState,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import type { CSSProperties } from "react";
import { useLoaderData, useLocation, useNavigate, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { forecastText, formatNumber, plural } from "../components/pools/format";
import { appHref } from "../components/pools/links";
import { LowStockBanner } from "../components/pools/LowStockBanner";
import { Sparkline } from "../components/pools/Sparkline";
import { PoolKindBadge } from "../components/pools/StatusBadge";
import { listPools } from "../services/pools/pools.server";
import { lowStockPools } from "../services/pools/stock.server";
import { RowLink } from "../components/RowLink";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const [pools, low] = await Promise.all([listPools(admin.db, admin.shopId), lowStockPools(admin.db)]);
  const url = new URL(request.url);
  return {
    lowStock: low.map((p) => ({ id: p.id, name: p.name })),
    deleted: url.searchParams.get("deleted"),
    retired: Number(url.searchParams.get("retired") ?? 0) || 0,
    pools: pools.map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      total: p.stats.total,
      /** Null for dynamic pools: they never run out. */
      available: p.kind === "DYNAMIC" ? null : p.stats.available,
      assigned: p.stats.assigned,
      redeemed: p.stats.redeemed,
      percentRemaining: p.stats.percentRemaining,
      issuedLast7Days: p.stats.issuedLast7Days,
      issued30Days: p.stats.daily.reduce((sum, d) => sum + d.count, 0),
      forecast: p.kind === "DYNAMIC" ? "Never runs out" : forecastText(p.stats),
      daily: p.stats.daily.map((d) => d.count),
      low: low.some((l) => l.id === p.id),
    })),
  };
};

const NAME_CELL: CSSProperties = {
  minWidth: "8rem",
  maxWidth: "16rem",
  whiteSpace: "normal",
  overflowWrap: "anywhere",
  display: "-webkit-box",
  WebkitBoxOrient: "vertical",
  WebkitLineClamp: 2,
  overflow: "hidden",
};

function Remaining({ percent }: { percent: number | null }) {
  if (percent === null)
    return (
      <Text as="span" tone="subdued">
        —
      </Text>
    );
  const tone = percent <= 10 ? "critical" : percent <= 25 ? "highlight" : "success";
  return (
    <InlineStack gap="200" blockAlign="center" wrap={false}>
      <div style={{ width: 64 }}>
        <ProgressBar progress={percent} size="small" tone={tone} animated={false} />
      </div>
      <Text as="span" numeric>
        {percent}%
      </Text>
    </InlineStack>
  );
}

export default function PoolsPage() {
  const { pools, lowStock, deleted, retired } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const navigate = useNavigate();
  const createUrl = appHref("/app/pools/new", search);

  return (
    <Page
      title="Pools"
      subtitle="Promo codes to give out, one customer each"
      primaryAction={{ content: "Create pool", url: createUrl }}
    >
      <Layout>
        {deleted !== null ? (
          <Layout.Section>
            <Banner
              tone="success"
              title={`Pool "${deleted}" deleted`}
              onDismiss={() => navigate(appHref("/app/pools", search), { replace: true })}
            >
              <p>
                {retired > 0 ? `${plural(retired, "unused code")} retired. ` : ""}Codes already given out stay with
                their customers.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {lowStock.length > 0 ? (
          <Layout.Section>
            <LowStockBanner pools={lowStock} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            {pools.length === 0 ? (
              <EmptyState heading="No code pools yet" action={{ content: "Create pool", url: createUrl }} image="">
                <p>A pool holds promo codes you upload or generate. Each code goes to one customer, exactly once.</p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "pool", plural: "pools" }}
                itemCount={pools.length}
                selectable={false}
                headings={[
                  { title: "Name" },
                  { title: "Type" },
                  { title: "Total", alignment: "end" },
                  { title: "Remaining", alignment: "end" },
                  { title: "Assigned", alignment: "end" },
                  { title: "Redeemed", alignment: "end" },
                  { title: "% remaining" },
                  { title: "Forecast" },
                  { title: "Issued, last 30 days" },
                ]}
              >
                {pools.map((p, i) => (
                  <IndexTable.Row id={p.id} key={p.id} position={i}>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        {/* A name of 100 letters without a space wraps (at most two lines, then "…"; the title
                            holds it whole) instead of pushing the numbers out of view. */}
                        <div title={p.name} style={NAME_CELL}>
                          <RowLink url={appHref(`/app/pools/${p.id}`, search)}>{p.name}</RowLink>
                        </div>
                        {p.low ? (
                          <span>
                            <Badge tone="warning" size="small">
                              Low stock
                            </Badge>
                          </span>
                        ) : null}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <PoolKindBadge kind={p.kind} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatNumber(p.total)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric tone={p.available === null ? "subdued" : undefined}>
                        {p.available === null ? "—" : formatNumber(p.available)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatNumber(p.assigned)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatNumber(p.redeemed)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Remaining percent={p.percentRemaining} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text
                        as="span"
                        tone={p.forecast.startsWith("Runs out") || p.forecast === "Empty" ? undefined : "subdued"}
                      >
                        {p.forecast}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <InlineStack gap="200" blockAlign="center" wrap={false}>
                        <Sparkline
                          values={p.daily}
                          title={`${p.name}: ${plural(p.issued30Days, "code")} issued in the last 30 days, ${formatNumber(p.issuedLast7Days)} in the last 7`}
                        />
                        <Text as="span" tone="subdued" numeric>
                          {formatNumber(p.issued30Days)}
                        </Text>
                      </InlineStack>
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
