import type { LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { ComingSoon } from "../components/ComingSoon";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await requireAdmin(request);
  return null;
};

export default function CampaignsPage() {
  return (
    <ComingSoon title="Campaigns" heading="No campaigns yet">
      Campaigns send a code when a customer enters a segment. Campaigns are being built and will appear here.
    </ComingSoon>
  );
}
