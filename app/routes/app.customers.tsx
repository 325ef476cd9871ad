// The shop's customers, newest first: search on email, first or last name (or an exact store id) and cursor
// pagination, 50 a page. The view lives in the URL (q, cursor, prev), as on a pool's codes list.
import {
  Card,
  EmptyState,
  IndexFilters,
  IndexTable,
  Page,
  Text,
  type TabProps,
} from "@shopify/polaris";
import {
  useLoaderData,
  useLocation,
  type LoaderFunctionArgs,
} from "react-router";
import { requireAdmin } from "../auth.server";
import { searchTerm } from "../domain/search-term";
import { useUrlSearch } from "../components/use-url-search";
import { formatNumber } from "../components/pools/format";
import { appHref } from "../components/pools/links";
import { ListFooter } from "../components/ListFooter";
import { RowLink } from "../components/RowLink";
import { countCustomers, listCustomers, parseCustomerCursor } from "../services/customers.server";

const PAGE_SIZE = 50;
/** Earlier pages' cursors kept in the URL for Previous; beyond that many, Previous goes back to the first page. */
const MAX_PREV = 100;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const url = new URL(request.url);
  const q = searchTerm(url.searchParams);
  const rawCursor = url.searchParams.get("cursor");
  // A cursor typed or cut short in the URL shows the first page, never a database error.
  const cursor = parseCustomerCursor(rawCursor) ? rawCursor : null;
  const prev = cursor
    ? (url.searchParams.get("prev") ?? "")
        .split(",")
        .filter((p) => p === "first" || parseCustomerCursor(p) !== null)
        .slice(-MAX_PREV)
    : [];
  const [page, total] = await Promise.all([
    listCustomers(admin.db, { search: q || null, cursor, take: PAGE_SIZE }),
    countCustomers(admin.db),
  ]);
  return {
    customers: page.customers.map((c) => ({
      id: c.id,
      name: [c.firstName, c.lastName].filter(Boolean).join(" ") || "—",
      email: c.email ?? "—",
      orders: c.ordersCount,
      tags: c.tags.join(", "),
    })),
    q,
    cursor,
    /** Cursors of the earlier pages, "first" for the first one. */
    prev,
    nextCursor: page.nextCursor,
    total,
  };
};

export default function CustomersPage() {
  const view = useLoaderData<typeof loader>();
  if (view.total === 0 && !view.q) {
    return (
      <Page title="Customers">
        <Card padding="0">
          <EmptyState heading="No customers yet" image="">
            <p>Customers appear here as Shopify sends customer and order webhooks.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }
  return (
    <Page title="Customers">
      <CustomersCard view={view} />
    </Page>
  );
}

const TABS: TabProps[] = [{ id: "customers-all", content: "All", isLocked: true }];

function CustomersCard({ view }: { view: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const { search } = useLocation();
  const { pagination, filterProps } = useUrlSearch(view.q);

  const shown = view.customers.length;
  return (
    <Card padding="0">
      <IndexFilters
        tabs={TABS}
        selected={0}
        onSelect={() => undefined}
        queryPlaceholder="Search by name, email or store id"
        {...filterProps}
      />
      <IndexTable
        resourceName={{ singular: "customer", plural: "customers" }}
        itemCount={shown}
        selectable={false}
        emptyState={
          <div style={{ padding: "var(--p-space-800) var(--p-space-400)", textAlign: "center" }}>
            <Text as="p" tone="subdued">
              {view.q ? `No customers match "${view.q}".` : "No more customers."}
            </Text>
          </div>
        }
        headings={[{ title: "Name" }, { title: "Email" }, { title: "Orders" }, { title: "Tags" }]}
        pagination={pagination(view)}
      >
        {view.customers.map((c, i) => (
          <IndexTable.Row id={c.id} key={c.id} position={i}>
            <IndexTable.Cell>
              <RowLink url={appHref(`/app/customers/${c.id}`, search)}>{c.name}</RowLink>
            </IndexTable.Cell>
            <IndexTable.Cell>{c.email}</IndexTable.Cell>
            <IndexTable.Cell>{formatNumber(c.orders)}</IndexTable.Cell>
            <IndexTable.Cell>{c.tags}</IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
      <ListFooter shown={shown} total={view.total} noun="customer" q={view.q} where="in all" />
    </Card>
  );
}
