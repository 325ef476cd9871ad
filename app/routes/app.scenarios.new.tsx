// Create a scenario; on success the merchant lands on the list.
import { Layout, Page } from "@shopify/polaris";
import { redirect, useFetcher, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { appHref } from "../components/pools/links";
import { EMPTY_SCENARIO_FORM } from "../components/scenarios/scenario-form";
import { saveScenarioForm } from "../components/scenarios/scenario-form.server";
import { ScenarioForm } from "../components/scenarios/ScenarioForm";
import { scenarioPickers } from "../services/scenarios/scenarios.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  return { pickers: await scenarioPickers(admin.db) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const result = await saveScenarioForm(admin.db, admin.shopId, await request.formData(), null);
  if (result.type === "saved") throw redirect(appHref(`/app/scenarios/${result.scenario.id}`, new URL(request.url).search));
  return { errors: result.type === "invalid" ? result.errors : { form: "This scenario no longer exists." } };
};

export default function NewScenarioPage() {
  const { pickers } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { search } = useLocation();
  return (
    <Page title="Create scenario" backAction={{ content: "Scenarios", url: appHref("/app/scenarios", search) }}>
      <Layout>
        <Layout.Section>
          <ScenarioForm fetcher={fetcher} initial={EMPTY_SCENARIO_FORM} errors={fetcher.data?.errors} pickers={pickers} submitLabel="Create scenario" />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
