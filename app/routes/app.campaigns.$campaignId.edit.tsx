// Edit a campaign's settings. The segment is fixed once the campaign has started (its cursor belongs to it).
import { Page } from "@shopify/polaris";
import { data, redirect, useFetcher, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { CampaignForm, valuesFromSettings } from "../components/campaigns/CampaignForm";
import { campaignFormOptions, settingsFromForm } from "../components/campaigns/campaign-form.server";
import { NotFoundPage } from "../components/NotFoundPage";
import { appHref } from "../components/pools/links";
import { campaignSettingsOf, getCampaign, updateCampaign } from "../services/campaigns/campaigns.server";
import { isUuid } from "../domain/ids";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const campaignId = params.campaignId ?? "";
  const campaign = isUuid(campaignId) ? await getCampaign(admin.db, campaignId) : null;
  if (!campaign) return data({ found: false as const }, { status: 404 });
  return {
    found: true as const,
    id: campaign.id,
    broadcast: campaign.kind === "BROADCAST",
    segmentLocked: campaign.status !== "DRAFT",
    initial: valuesFromSettings(campaignSettingsOf(campaign) as Parameters<typeof valuesFromSettings>[0]),
    options: await campaignFormOptions(admin.db),
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const campaignId = params.campaignId ?? "";
  if (!isUuid(campaignId)) return { errors: { form: "This campaign doesn't exist any more" } };
  const submitted = settingsFromForm(await request.formData());
  if (!submitted.ok) return { errors: submitted.errors };
  const result = await updateCampaign(admin.db, campaignId, submitted.settings);
  if (result.type === "saved") throw redirect(appHref(`/app/campaigns/${campaignId}`, new URL(request.url).search));
  if (result.type === "invalid") return { errors: result.errors };
  return { errors: { form: result.type === "not_found" ? "This campaign doesn't exist any more" : result.message } };
};

export default function EditCampaignRoute() {
  const loaded = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { search } = useLocation();
  if (!loaded.found) {
    return (
      <NotFoundPage title="Campaign not found" heading="This campaign does not exist" backLabel="Campaigns" backPath="/app/campaigns">
        It may have been deleted.
      </NotFoundPage>
    );
  }
  return (
    <Page title="Edit campaign" backAction={{ content: "Campaign", url: appHref(`/app/campaigns/${loaded.id}`, search) }}>
      <CampaignForm
        fetcher={fetcher}
        initial={loaded.initial}
        errors={fetcher.data?.errors}
        segments={loaded.options.segments}
        pools={loaded.options.pools}
        templates={loaded.options.templates}
        broadcast={loaded.broadcast}
        segmentLocked={loaded.segmentLocked}
        submitLabel="Save"
      />
    </Page>
  );
}
