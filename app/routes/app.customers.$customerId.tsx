// One customer: who they are and every code they received (pool, initial or reissue, when, the code's status now),
// with a manual "issue a code" for support cases, from a static pool or a dynamic one (created on the store).
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { useState, type ReactNode } from "react";
import {
  data,
  useFetcher,
  useLoaderData,
  useLocation,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "react-router";
import { requireAdmin } from "../auth.server";
import { NotFoundPage } from "../components/NotFoundPage";
import { EMPTY_BEHAVIOR_LABELS, formatDateTime, formatNumber, type EmptyBehavior } from "../components/pools/format";
import { appHref } from "../components/pools/links";
import { CodeStatusBadge } from "../components/pools/StatusBadge";
import { useUrlSearch } from "../components/use-url-search";
import { PlatformError } from "../platforms/errors";
import { customerOrderTotals, getCustomer, listCustomerCodes, parseCustomerCodesCursor } from "../services/customers.server";
import { issueCode } from "../services/pools/issue.server";
import { listPools } from "../services/pools/pools.server";
import { isUuid } from "../domain/ids";

/**
 * The codes list's own page parameters: the page keeps the Customers list's ?cursor= and ?prev= in its URL, for the
 * way back to the same page of that list.
 */
const CODES_PAGE_PARAMS = { cursor: "codesCursor", prev: "codesPrev" };
/** Earlier pages' cursors kept in the URL for Previous; beyond that many, Previous goes back to the first page. */
const MAX_PREV = 100;

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const customerId = params.customerId ?? "";
  const customer = isUuid(customerId) ? await getCustomer(admin.db, customerId) : null;
  if (!customer) return data({ found: false as const }, { status: 404 });
  const url = new URL(request.url);
  const rawCursor = url.searchParams.get(CODES_PAGE_PARAMS.cursor);
  // A cursor typed or cut short in the URL shows the first page, never a database error.
  const cursor = parseCustomerCodesCursor(rawCursor) ? rawCursor : null;
  const prev = cursor
    ? (url.searchParams.get(CODES_PAGE_PARAMS.prev) ?? "")
        .split(",")
        .filter((p) => p === "first" || parseCustomerCodesCursor(p) !== null)
        .slice(-MAX_PREV)
    : [];
  const [page, pools, orders] = await Promise.all([
    listCustomerCodes(admin.db, customer.id, { cursor }),
    listPools(admin.db, admin.shopId),
    customerOrderTotals(admin.db, customer),
  ]);
  const codes = page.codes;
  return {
    found: true as const,
    customer: {
      id: customer.id,
      name: [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || "Customer",
      email: customer.email,
      phone: customer.phone,
      tags: customer.tags,
      acceptsMarketing: customer.acceptsMarketing,
      ordersCount: orders.ordersCount,
      totalSpent: orders.totalSpent.toFixed(2),
      lastOrderAt: orders.lastOrderAt ? formatDateTime(orders.lastOrderAt) : null,
      platformId: customer.platformId,
      since: formatDateTime(customer.platformCreatedAt ?? customer.createdAt),
    },
    codesPage: { cursor, prev, nextCursor: page.nextCursor },
    // The issue form's idempotency key: new with every load, so an issue whose answer was lost (no reload followed)
    // and is clicked again returns the same code instead of a second one. Every answered issue reloads the page.
    issueAttempt: crypto.randomUUID(),
    codes: codes.map((c) => ({
      id: c.issuanceId,
      kind: c.kind,
      source: c.source,
      issuedAt: formatDateTime(c.issuedAt),
      pool: c.pool,
      code: c.code
        ? {
            code: c.code.code,
            status: c.code.status,
            expiresAt: c.code.expiresAt ? formatDateTime(c.code.expiresAt) : null,
          }
        : null,
    })),
    pools: pools.map((p) => ({
      id: p.id,
      name: p.name,
      label: p.kind === "DYNAMIC" ? `${p.name} (dynamic: creates a code)` : `${p.name} (${formatNumber(p.stats.available)} available)`,
    })),
  };
};

type IssueAnswer = { tone: "success" | "warning" | "critical"; title: string; message?: string };

export const action = async ({ request, params }: ActionFunctionArgs): Promise<IssueAnswer> => {
  const admin = await requireAdmin(request);
  const customerId = params.customerId ?? "";
  const customer = isUuid(customerId) ? await getCustomer(admin.db, customerId) : null;
  if (!customer) return { tone: "critical", title: "This customer no longer exists." };
  const form = await request.formData();
  const poolId = String(form.get("poolId") ?? "");
  if (!isUuid(poolId)) return { tone: "critical", title: "Choose a pool." };
  let result;
  try {
    result = await issueCode(admin.db, {
      shopId: admin.shopId,
      poolId,
      customerId: customer.id,
      reissue: form.get("reissue") === "on",
      idempotencyKey: isUuid(String(form.get("attempt") ?? "")) ? `admin:${customer.id}:${String(form.get("attempt"))}` : null,
      source: "admin",
    });
  } catch (error) {
    if (!(error instanceof PlatformError)) throw error;
    console.error(`[customers] issuing from pool ${poolId} failed:`, error);
    return {
      tone: "critical",
      title: "The store did not answer",
      message: error.retriable
        ? "Try again in a moment: the code being created is finished, never made twice."
        : "The store refused the app's request. Check that the app is still installed with its permissions.",
    };
  }
  switch (result.type) {
    case "issued":
      return {
        tone: "success",
        title: `${result.issued.kind === "REISSUE" ? "Reissued" : "Issued"} ${result.issued.code}`,
        message: "Give the code to the customer yourself: issuing from here sends no message.",
      };
    case "pool_empty":
      return {
        tone: "warning",
        title: "The pool is empty",
        message: `Its setting for an empty pool: ${EMPTY_BEHAVIOR_LABELS[result.behavior as EmptyBehavior].toLowerCase()}${
          result.fallbackCode ? ` (fallback code ${result.fallbackCode})` : ""
        }. Add codes to the pool and try again.`,
      };
    case "never_issued":
      return {
        tone: "warning",
        title: "Nothing to reissue",
        message: "This customer never got a code from this pool. Issue a new one instead.",
      };
    case "pool_not_static":
      return { tone: "critical", title: "This pool cannot give out codes here." };
    case "dynamic_refused":
      return { tone: "warning", title: "No code was created", message: result.message };
    case "pool_not_found":
      return { tone: "critical", title: "This pool no longer exists." };
    case "idempotency_conflict":
      return { tone: "critical", title: "This request conflicts with an earlier one. Reload and try again." };
  }
};

type Loaded = Extract<Awaited<ReturnType<typeof loader>>, { found: true }>;

export default function CustomerRoute() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.found) {
    return (
      <NotFoundPage title="Customer not found" heading="This customer does not exist" backLabel="Customers" backPath="/app/customers">
        They may have been redacted at the store's request.
      </NotFoundPage>
    );
  }
  return <CustomerPage key={loaded.customer.id} {...loaded} />;
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="h3" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" breakWord>
        {children}
      </Text>
    </BlockStack>
  );
}

function CustomerPage({ customer, codes, codesPage, pools, issueAttempt }: Loaded) {
  const { search } = useLocation();
  const { pagination } = useUrlSearch("");
  const issue = useFetcher<typeof action>();
  const [poolId, setPoolId] = useState(pools[0]?.id ?? "");
  const [reissue, setReissue] = useState(false);
  const answer = issue.state === "idle" ? issue.data : undefined;

  return (
    <Page
      title={customer.name}
      subtitle={customer.email ?? undefined}
      backAction={{ content: "Customers", url: appHref("/app/customers", search) }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Codes received
            </Text>
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: "code", plural: "codes" }}
                itemCount={codes.length}
                selectable={false}
                pagination={pagination(codesPage, CODES_PAGE_PARAMS)}
                emptyState={
                  <Box padding="800">
                    <Text as="p" tone="subdued" alignment="center">
                      This customer has not received a code yet.
                    </Text>
                  </Box>
                }
                headings={[
                  { title: "Code" },
                  { title: "Pool" },
                  { title: "Issue" },
                  { title: "When" },
                  { title: "Status now" },
                ]}
              >
                {codes.map((c, i) => (
                  <IndexTable.Row id={c.id} key={c.id} position={i}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="medium">
                        <code>{c.code?.code ?? "—"}</code>
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {c.pool.deleted ? (
                        <Text as="span" tone="subdued">
                          {c.pool.name} (deleted)
                        </Text>
                      ) : (
                        <Link url={appHref(`/app/pools/${c.pool.id}`, search)}>{c.pool.name}</Link>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {c.kind === "REISSUE" ? <Badge tone="info">Reissue</Badge> : <Badge>Initial</Badge>}
                    </IndexTable.Cell>
                    <IndexTable.Cell>{c.issuedAt}</IndexTable.Cell>
                    <IndexTable.Cell>{c.code ? <CodeStatusBadge status={c.code.status} /> : "—"}</IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Customer
                </Text>
                <InlineGrid columns={1} gap="300">
                  <Detail label="Email">{customer.email ?? "—"}</Detail>
                  <Detail label="Phone">{customer.phone ?? "—"}</Detail>
                  <Detail label="Orders">
                    {formatNumber(customer.ordersCount)} · {customer.totalSpent} spent
                    {customer.lastOrderAt ? ` · last ${customer.lastOrderAt}` : ""}
                  </Detail>
                  <Detail label="Email marketing">{customer.acceptsMarketing ? "Subscribed" : "Not subscribed"}</Detail>
                  <Detail label="Customer since">{customer.since}</Detail>
                  <Detail label="Store id">{customer.platformId}</Detail>
                </InlineGrid>
                {customer.tags.length > 0 ? (
                  <InlineStack gap="100">
                    {customer.tags.map((t) => (
                      <Badge key={t}>{t}</Badge>
                    ))}
                  </InlineStack>
                ) : null}
              </BlockStack>
            </Card>
            <Card>
              <issue.Form method="post">
                <input type="hidden" name="attempt" value={issueAttempt} />
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Issue a code
                  </Text>
                  {pools.length === 0 ? (
                    <Text as="p" tone="subdued">
                      No pool to issue from yet.
                    </Text>
                  ) : (
                    <>
                      <Select
                        label="Pool"
                        name="poolId"
                        options={pools.map((p) => ({ label: p.label, value: p.id }))}
                        value={poolId}
                        onChange={setPoolId}
                      />
                      <Checkbox
                        label="Reissue the code they already got from this pool"
                        name="reissue"
                        checked={reissue}
                        onChange={setReissue}
                      />
                      <InlineStack align="end">
                        <Button submit loading={issue.state !== "idle"}>
                          {reissue ? "Reissue code" : "Issue code"}
                        </Button>
                      </InlineStack>
                    </>
                  )}
                  {answer ? (
                    <Banner tone={answer.tone} title={answer.title}>
                      {answer.message ? <p>{answer.message}</p> : null}
                    </Banner>
                  ) : null}
                </BlockStack>
              </issue.Form>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
