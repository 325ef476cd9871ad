// Tasks: every scenario and campaign run, with its customer, order, status, times and code, filterable by status,
// scenario or campaign and date range, a page at a time.
import { BlockStack, Button, Card, EmptyState, IndexTable, InlineStack, Layout, Link, Page, Pagination, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { Form, useLoaderData, useLocation, useNavigate, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { appHref, appSearch } from "../components/pools/links";
import { TASK_STATUS_LABELS, TASK_STATUSES } from "../components/scenarios/labels";
import { TaskStatusBadge } from "../components/tasks/TaskStatusBadge";
import { listTasks, parseTaskFilter, taskSources } from "../services/tasks/tasks.server";
import { CAMPAIGN_PAUSED_OUTCOME } from "../services/tasks/store.server";

/** Times in UTC, formatted on the server so the page reads the same everywhere (and hydrates without a mismatch). */
function when(date: Date | null): string | null {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : null;
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const url = new URL(request.url);
  const filter = parseTaskFilter(url.searchParams);
  const [{ tasks, total, pageCount }, sources] = await Promise.all([listTasks(admin.db, filter), taskSources(admin.db)]);
  return {
    filter: {
      status: filter.status ?? "",
      source: filter.source ? `${filter.source.type}:${filter.source.id}` : "",
      from: filter.from ?? "",
      to: filter.to ?? "",
      page: filter.page,
    },
    total,
    pageCount,
    sources,
    tasks: tasks.map((t) => ({
      id: t.id,
      status: t.status,
      createdAt: when(t.createdAt)!,
      // A paused campaign's run waits for the resume, not for the far date that keeps the sweeper off it.
      dueAt: t.status === "PENDING" && t.outcome === CAMPAIGN_PAUSED_OUTCOME ? "when the campaign is resumed" : when(t.dueAt)!,
      executedAt: when(t.executedAt),
      finishedAt: when(t.finishedAt),
      checkAt: when(t.checkAt),
      outcome: t.outcome,
      error: t.error,
      scenario: t.scenario,
      campaign: t.campaign,
      customer: t.customer,
      order: t.order,
      code: t.code,
    })),
  };
};

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function Filters({ filter, sources }: Pick<Loaded, "filter" | "sources">) {
  const { search } = useLocation();
  const [status, setStatus] = useState(filter.status);
  const [source, setSource] = useState(filter.source);
  const [from, setFrom] = useState(filter.from);
  const [to, setTo] = useState(filter.to);
  const keep = [...new URLSearchParams(appSearch(search)).entries()].filter(([k]) => !["source", "from", "to", "page"].includes(k));
  return (
    <Form method="get">
      {keep.map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <InlineStack gap="300" blockAlign="end" wrap>
        <Select
          label="Status"
          name="status"
          options={[{ label: "All statuses", value: "" }, ...TASK_STATUSES.map((s) => ({ label: TASK_STATUS_LABELS[s], value: s }))]}
          value={status}
          onChange={setStatus}
        />
        <Select
          label="Scenario or campaign"
          name="source"
          options={[
            { label: "All", value: "" },
            ...sources.scenarios.map((s) => ({ label: `Scenario: ${s.name}`, value: `scenario:${s.id}` })),
            ...sources.campaigns.map((c) => ({ label: `Campaign: ${c.name}`, value: `campaign:${c.id}` })),
          ]}
          value={source}
          onChange={setSource}
        />
        <TextField label="Created from" name="from" type="date" value={from} onChange={setFrom} autoComplete="off" />
        <TextField label="Created to" name="to" type="date" value={to} onChange={setTo} autoComplete="off" />
        <Button submit>Filter</Button>
      </InlineStack>
    </Form>
  );
}

function Times({ task }: { task: Loaded["tasks"][number] }) {
  const lines: [string, string | null][] = [
    ["Created", task.createdAt],
    [task.status === "PENDING" ? "Due" : "Was due", task.dueAt],
    ["Executed", task.executedAt],
    [task.status === "EXECUTED" ? "Success check" : "Checked until", task.checkAt],
    ["Finished", task.finishedAt],
  ];
  return (
    <BlockStack gap="050">
      {lines
        .filter(([, value]) => value)
        .map(([label, value]) => (
          <Text as="span" key={label} variant="bodySm" tone={label === "Created" ? undefined : "subdued"}>
            {label}: {value}
          </Text>
        ))}
    </BlockStack>
  );
}

export default function TasksPage() {
  const { tasks, total, pageCount, filter, sources } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const navigate = useNavigate();
  const pageUrl = (page: number) => {
    const params = new URLSearchParams(search);
    params.set("page", String(page));
    return `/app/tasks?${params.toString()}`;
  };
  const filtered = Boolean(filter.status || filter.source || filter.from || filter.to);

  return (
    <Page title="Tasks" subtitle="Every scenario and campaign run, and how it ended">
      <Layout>
        <Layout.Section>
          <Card>
            <Filters filter={filter} sources={sources} />
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card padding="0">
            {tasks.length === 0 ? (
              <EmptyState heading={filtered ? "No tasks match these filters" : "No tasks yet"} image="">
                <p>{filtered ? "Change or clear the filters to see more." : "Each time a scenario or campaign runs for a customer, its task is listed here."}</p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "task", plural: "tasks" }}
                itemCount={tasks.length}
                selectable={false}
                headings={[{ title: "Scenario or campaign" }, { title: "Customer" }, { title: "Order" }, { title: "Status" }, { title: "Times" }, { title: "Code" }]}
              >
                {tasks.map((t, i) => (
                  <IndexTable.Row id={t.id} key={t.id} position={i}>
                    <IndexTable.Cell>
                      {t.scenario ? (
                        <Link url={appHref(`/app/scenarios/${t.scenario.id}`, search)}>{t.scenario.name}</Link>
                      ) : t.campaign ? (
                        <Text as="span">Campaign: {t.campaign.name}</Text>
                      ) : (
                        <Text as="span" tone="subdued">
                          —
                        </Text>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {t.customer ? (
                        <Link url={appHref(`/app/customers/${t.customer.id}`, search)}>{t.customer.label}</Link>
                      ) : (
                        <Text as="span" tone="subdued">
                          Removed
                        </Text>
                      )}
                    </IndexTable.Cell>
                    <IndexTable.Cell>{t.order ? t.order.label : <Text as="span" tone="subdued">—</Text>}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <BlockStack gap="100">
                        <span>
                          <TaskStatusBadge status={t.status} />
                        </span>
                        {t.error ? (
                          <Text as="span" variant="bodySm" tone="critical">
                            {t.error}
                          </Text>
                        ) : null}
                        {t.outcome ? (
                          <Text as="span" variant="bodySm" tone="subdued">
                            {t.outcome}
                          </Text>
                        ) : null}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Times task={t} />
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {t.code ? (
                        <Text as="span" fontWeight="semibold">
                          <code>{t.code}</code>
                        </Text>
                      ) : (
                        <Text as="span" tone="subdued">
                          —
                        </Text>
                      )}
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
        {pageCount > 1 ? (
          <Layout.Section>
            <InlineStack align="center" blockAlign="center" gap="300">
              <Pagination
                hasPrevious={filter.page > 1}
                onPrevious={() => navigate(pageUrl(filter.page - 1))}
                hasNext={filter.page < pageCount}
                onNext={() => navigate(pageUrl(filter.page + 1))}
                label={`Page ${filter.page} of ${pageCount} (${total} tasks)`}
              />
            </InlineStack>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
