// Create a campaign (segment-triggered) or a broadcast (?kind=broadcast); it starts as a draft.
import { Page } from "@shopify/polaris";
import { redirect, useFetcher, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { CampaignForm, EMPTY_CAMPAIGN_FORM } from "../components/campaigns/CampaignForm";
import { campaignFormOptions, settingsFromForm } from "../components/campaigns/campaign-form.server";
import { appHref } from "../components/pools/links";
import { createCampaign } from "../services/campaigns/campaigns.server";

function isBroadcast(request: Request): boolean {
  return new URL(request.url).searchParams.get("kind") === "broadcast";
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  return { options: await campaignFormOptions(admin.db), broadcast: isBroadcast(request) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const submitted = settingsFromForm(await request.formData());
  if (!submitted.ok) return { errors: submitted.errors };
  const result = await createCampaign(admin.db, admin.shopId, submitted.settings, isBroadcast(request) ? "BROADCAST" : "AUTOMATED");
  if (result.type === "saved") {
    const search = new URL(request.url).search;
    throw redirect(appHref(`/app/campaigns/${result.campaign.id}`, search));
  }
  return { errors: result.type === "invalid" ? result.errors : { form: "The campaign could not be saved" } };
};

export default function NewCampaignPage() {
  const { options, broadcast } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { search } = useLocation();
  return (
    <Page title={broadcast ? "New broadcast" : "New campaign"} backAction={{ content: "Campaigns", url: appHref("/app/campaigns", search) }}>
      <CampaignForm
        fetcher={fetcher}
        initial={EMPTY_CAMPAIGN_FORM}
        errors={fetcher.data?.errors}
        segments={options.segments}
        pools={options.pools}
        templates={options.templates}
        broadcast={broadcast}
        submitLabel={broadcast ? "Save broadcast" : "Save campaign"}
      />
    </Page>
  );
}
