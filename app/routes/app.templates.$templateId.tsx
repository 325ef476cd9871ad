// One message template: edit it with the live preview, or delete it (messages already sent keep their text).
import { BlockStack, Modal, Page } from "@shopify/polaris";
import { useState } from "react";
import { data, redirect, useFetcher, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { NotFoundPage } from "../components/NotFoundPage";
import { TemplateEditor } from "../components/messages/TemplateEditor";
import type { PreviewResponse, SaveResponse, TemplateChannel } from "../components/messages/template-form";
import { previewFromForm, saveTemplateFromForm, templateFormErrors } from "../components/messages/template-form.server";
import { appHref } from "../components/pools/links";
import { livePools } from "../services/messages/codes.server";
import { deleteTemplate, getTemplate, previewCustomers } from "../services/templates.server";
import { isUuid } from "../domain/ids";
import { DependentsList } from "../components/DependentsList";
import { dependentsOf } from "../services/dependents.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const id = params.templateId ?? "";
  const template = isUuid(id) ? await getTemplate(admin.db, id) : null;
  if (!template || template.channel === "SHOPIFY") return data({ found: false as const }, { status: 404 });
  const [pools, customers, dependents] = await Promise.all([livePools(admin.db), previewCustomers(admin.db), dependentsOf(admin.db, { templateId: id })]);
  return {
    found: true as const,
    saved: new URL(request.url).searchParams.get("saved") === "1",
    template: {
      id: template.id,
      updatedAt: template.updatedAt.toISOString(),
      values: { name: template.name, channel: template.channel as TemplateChannel, subject: template.subject ?? "", body: template.body },
    },
    pools: pools.map((p) => p.name).sort(),
    customers,
    dependents,
  };
};

type DeleteResponse = { intent: "delete"; deleted: false };

export const action = async ({ request, params }: ActionFunctionArgs): Promise<SaveResponse | PreviewResponse | DeleteResponse> => {
  const admin = await requireAdmin(request);
  const id = params.templateId ?? "";
  const form = await request.formData();
  switch (form.get("intent")) {
    case "preview":
      return previewFromForm(admin.db, form);
    case "delete": {
      const template = isUuid(id) ? await getTemplate(admin.db, id) : null;
      if (!template || !(await deleteTemplate(admin.db, id))) return { intent: "delete", deleted: false };
      throw redirect(appHref("/app/templates", new URL(request.url).search, { deleted: template.name }));
    }
    default: {
      if (!isUuid(id)) return { intent: "save", saved: false, errors: { form: "This template no longer exists." } };
      const { result, input } = await saveTemplateFromForm(admin.db, admin.shopId, form, id);
      if (result.type === "saved") return { intent: "save", saved: true };
      return { intent: "save", saved: false, errors: templateFormErrors(result, input) };
    }
  }
};

export default function TemplatePage() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.found) {
    return (
      <NotFoundPage title="Template not found" heading="This template does not exist" backLabel="Templates" backPath="/app/templates">
        It may have been deleted.
      </NotFoundPage>
    );
  }
  return <TemplateEditPage loaded={loaded} />;
}

function TemplateEditPage({ loaded }: { loaded: Extract<Awaited<ReturnType<typeof loader>>, { found: true }> }) {
  const { search } = useLocation();
  const save = useFetcher<SaveResponse>();
  const remove = useFetcher<DeleteResponse>();
  const [confirming, setConfirming] = useState(false);
  const errors = save.data && !save.data.saved ? save.data.errors : null;
  const notice = save.data?.saved ? "Template saved" : loaded.saved && !save.data ? "Template created" : null;
  return (
    <Page
      title={loaded.template.values.name}
      backAction={{ content: "Templates", url: appHref("/app/templates", search) }}
      secondaryActions={[{ content: "Delete", destructive: true, onAction: () => setConfirming(true) }]}
      fullWidth
    >
      <TemplateEditor
        key={loaded.template.id}
        fetcher={save}
        initial={loaded.template.values}
        errors={errors}
        pools={loaded.pools}
        customers={loaded.customers}
        submitLabel="Save template"
        notice={notice}
        saved={save.data?.saved ? save.data : null}
      />
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={`Delete "${loaded.template.values.name}"?`}
        primaryAction={{
          content: "Delete template",
          destructive: true,
          loading: remove.state !== "idle",
          onAction: () => remove.submit({ intent: "delete" }, { method: "post" }),
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            <p>Campaigns and scenarios that send it will skip the message. Messages already sent keep their text.</p>
            <DependentsList dependents={loaded.dependents} consequence="These send it and will skip the message:" />
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
