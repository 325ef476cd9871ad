// One scenario: its settings in the same form that creates it, switching it on and off, its task counts, and
// deleting it (with its tasks, after a confirmation that says how many).
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import {
  data,
  redirect,
  useFetcher,
  useLoaderData,
  useLocation,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "react-router";
import { requireAdmin } from "../auth.server";
import { NotFoundPage } from "../components/NotFoundPage";
import { appHref } from "../components/pools/links";
import { TASK_STATUS_LABELS, TASK_STATUSES, triggerLabel } from "../components/scenarios/labels";
import { EMPTY_SCENARIO_FORM, formValuesOf, type FormErrors } from "../components/scenarios/scenario-form";
import { saveScenarioForm } from "../components/scenarios/scenario-form.server";
import { ScenarioForm } from "../components/scenarios/ScenarioForm";
import {
  deleteScenario,
  emptyCounts,
  getScenario,
  listScenarios,
  scenarioPickers,
  scenarioTaskCount,
  setScenarioActive,
} from "../services/scenarios/scenarios.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const found = await getScenario(admin.db, params.scenarioId ?? "");
  if (!found) return data({ found: false as const }, { status: 404 });
  const [pickers, summaries] = await Promise.all([scenarioPickers(admin.db), listScenarios(admin.db)]);
  const counts = summaries.find((s) => s.id === found.row.id)?.counts ?? emptyCounts();
  return {
    found: true as const,
    scenario: { id: found.row.id, name: found.row.name, active: found.row.active, trigger: triggerLabel(found.row.trigger) },
    values: found.settings ? formValuesOf(found.settings) : { ...EMPTY_SCENARIO_FORM, name: found.row.name, active: found.row.active },
    readable: found.settings !== null,
    counts,
    pickers,
  };
};

type ActionResult =
  | { intent: "save"; saved: boolean; errors: FormErrors | null }
  | { intent: "toggle"; active: boolean }
  | { intent: "delete"; confirm: number }
  | { intent: "error"; message: string };

export const action = async ({ request, params }: ActionFunctionArgs): Promise<ActionResult> => {
  const admin = await requireAdmin(request);
  const scenarioId = params.scenarioId ?? "";
  const form = await request.formData();
  switch (form.get("intent")) {
    case "save": {
      const result = await saveScenarioForm(admin.db, admin.shopId, form, scenarioId);
      if (result.type === "not_found") return { intent: "error", message: "This scenario no longer exists." };
      return { intent: "save", saved: result.type === "saved", errors: result.type === "invalid" ? result.errors : null };
    }
    case "toggle": {
      const result = await setScenarioActive(admin.db, scenarioId, form.get("active") === "true");
      if (result.type !== "saved") return { intent: "error", message: "This scenario no longer exists." };
      return { intent: "toggle", active: result.scenario.active };
    }
    case "delete": {
      const found = await getScenario(admin.db, scenarioId);
      if (!found) return { intent: "error", message: "This scenario no longer exists." };
      const tasks = await scenarioTaskCount(admin.db, scenarioId);
      // The merchant confirms the number of tasks that go with it; a count that moved asks again.
      if (String(tasks) !== form.get("confirmTasks")) return { intent: "delete", confirm: tasks };
      await deleteScenario(admin.db, scenarioId);
      throw redirect(appHref("/app/scenarios", new URL(request.url).search, { deleted: found.row.name }));
    }
    default:
      return { intent: "error", message: "Unknown action." };
  }
};

type Loaded = Extract<Awaited<ReturnType<typeof loader>>, { found: true }>;

export default function ScenarioRoute() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.found) {
    return (
      <NotFoundPage title="Scenario not found" heading="This scenario does not exist or was deleted" backLabel="Scenarios" backPath="/app/scenarios">
        A deleted scenario's tasks are deleted with it.
      </NotFoundPage>
    );
  }
  return <ScenarioPage key={loaded.scenario.id} {...loaded} />;
}

function ScenarioPage({ scenario, values, readable, counts, pickers }: Loaded) {
  const { search } = useLocation();
  const save = useFetcher<typeof action>();
  const toggle = useFetcher<typeof action>();
  const remove = useFetcher<typeof action>();
  const saved = save.state === "idle" && save.data?.intent === "save" ? save.data : null;
  const failure = [save.data, toggle.data, remove.data].find((d) => d?.intent === "error");
  const confirm = remove.data?.intent === "delete" ? remove.data.confirm : null;
  const total = TASK_STATUSES.reduce((sum, s) => sum + counts[s], 0);

  return (
    <Page
      title={scenario.name}
      titleMetadata={scenario.active ? <Badge tone="success">Active</Badge> : <Badge>Inactive</Badge>}
      subtitle={scenario.trigger}
      backAction={{ content: "Scenarios", url: appHref("/app/scenarios", search) }}
      primaryAction={{
        content: scenario.active ? "Deactivate" : "Activate",
        loading: toggle.state !== "idle",
        onAction: () => toggle.submit({ intent: "toggle", active: String(!scenario.active) }, { method: "post" }),
      }}
    >
      <Layout>
        {failure?.intent === "error" ? (
          <Layout.Section>
            <Banner tone="critical" title={failure.message} />
          </Layout.Section>
        ) : null}
        {saved?.saved ? (
          <Layout.Section>
            <Banner tone="success" title="Scenario saved" />
          </Layout.Section>
        ) : null}
        {!readable ? (
          <Layout.Section>
            <Banner tone="warning" title="The stored settings could not be read">
              <p>This scenario starts no tasks until it is saved again with valid settings.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <ScenarioForm
            fetcher={save}
            initial={values}
            errors={saved?.errors}
            pickers={pickers}
            submitLabel="Save scenario"
            showActive={false}
            saved={saved?.saved ? saved : null}
          />
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Tasks
                </Text>
                {total === 0 ? (
                  <Text as="p" tone="subdued">
                    No tasks yet.
                  </Text>
                ) : (
                  TASK_STATUSES.filter((s) => counts[s] > 0).map((s) => (
                    <InlineStack key={s} align="space-between">
                      <Text as="span">{TASK_STATUS_LABELS[s]}</Text>
                      <Text as="span" numeric>
                        {counts[s]}
                      </Text>
                    </InlineStack>
                  ))
                )}
                <Link url={appHref("/app/tasks", search, { source: `scenario:${scenario.id}` })}>See this scenario's tasks</Link>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Delete
                </Text>
                {confirm !== null ? (
                  <Banner tone="warning" title={`Delete this scenario and its ${confirm} task${confirm === 1 ? "" : "s"}?`}>
                    <BlockStack gap="200">
                      <p>Pending tasks will not run. Codes and messages already sent stay with the customers.</p>
                      <InlineStack>
                        <Button
                          tone="critical"
                          variant="primary"
                          loading={remove.state !== "idle"}
                          onClick={() => remove.submit({ intent: "delete", confirmTasks: String(confirm) }, { method: "post" })}
                        >
                          Delete scenario
                        </Button>
                      </InlineStack>
                    </BlockStack>
                  </Banner>
                ) : (
                  <InlineStack>
                    <Button tone="critical" loading={remove.state !== "idle"} onClick={() => remove.submit({ intent: "delete" }, { method: "post" })}>
                      Delete…
                    </Button>
                  </InlineStack>
                )}
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
