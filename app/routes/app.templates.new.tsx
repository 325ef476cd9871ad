// Create a message template, with its preview beside the form; saved, the merchant lands on its page.
import { Page } from "@shopify/polaris";
import { redirect, useFetcher, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { TemplateEditor } from "../components/messages/TemplateEditor";
import { EMPTY_TEMPLATE, type PreviewResponse, type SaveResponse } from "../components/messages/template-form";
import { previewFromForm, saveTemplateFromForm, templateFormErrors } from "../components/messages/template-form.server";
import { appHref } from "../components/pools/links";
import { livePools } from "../services/messages/codes.server";
import { previewCustomers } from "../services/templates.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const [pools, customers] = await Promise.all([livePools(admin.db), previewCustomers(admin.db)]);
  return { pools: pools.map((p) => p.name).sort(), customers };
};

export const action = async ({ request }: ActionFunctionArgs): Promise<SaveResponse | PreviewResponse> => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  if (form.get("intent") === "preview") return previewFromForm(admin.db, form);
  const { result, input } = await saveTemplateFromForm(admin.db, admin.shopId, form);
  if (result.type === "saved") throw redirect(appHref(`/app/templates/${result.template.id}`, new URL(request.url).search, { saved: "1" }));
  return { intent: "save", saved: false, errors: templateFormErrors(result, input) };
};

export default function NewTemplatePage() {
  const { pools, customers } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<SaveResponse>();
  const { search } = useLocation();
  const errors = fetcher.data && !fetcher.data.saved ? fetcher.data.errors : null;
  return (
    <Page title="Create template" backAction={{ content: "Templates", url: appHref("/app/templates", search) }} fullWidth>
      <TemplateEditor fetcher={fetcher} initial={EMPTY_TEMPLATE} errors={errors} pools={pools} customers={customers} submitLabel="Save template" />
    </Page>
  );
}
