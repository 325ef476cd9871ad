import { Card, EmptyState, IndexTable, Page } from "@shopify/polaris";
import { useLoaderData, useLocation, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { appHref } from "../components/pools/links";
import { listCustomers } from "../services/customers.server";
import { RowLink } from "../components/RowLink";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const customers = await listCustomers(admin.db, { take: 100 });
  return {
    customers: customers.map((c) => ({
      id: c.id,
      name: [c.firstName, c.lastName].filter(Boolean).join(" ") || "—",
      email: c.email ?? "—",
      orders: c.ordersCount,
      tags: c.tags.join(", "),
    })),
  };
};

export default function CustomersPage() {
  const { customers } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  return (
    <Page title="Customers">
      <Card padding="0">
        {customers.length === 0 ? (
          <EmptyState heading="No customers yet" image="">
            <p>Customers appear here as Shopify sends customer and order webhooks.</p>
          </EmptyState>
        ) : (
          <IndexTable
            resourceName={{ singular: "customer", plural: "customers" }}
            itemCount={customers.length}
            selectable={false}
            headings={[{ title: "Name" }, { title: "Email" }, { title: "Orders" }, { title: "Tags" }]}
          >
            {customers.map((c, i) => (
              <IndexTable.Row id={c.id} key={c.id} position={i}>
                <IndexTable.Cell>
                  <RowLink url={appHref(`/app/customers/${c.id}`, search)}>{c.name}</RowLink>
                </IndexTable.Cell>
                <IndexTable.Cell>{c.email}</IndexTable.Cell>
                <IndexTable.Cell>{c.orders}</IndexTable.Cell>
                <IndexTable.Cell>{c.tags}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
      </Card>
    </Page>
  );
}
