import type { LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { ComingSoon } from "../components/ComingSoon";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await requireAdmin(request);
  return null;
};

export default function PoolsPage() {
  return (
    <ComingSoon title="Pools" heading="No code pools yet">
      Upload or generate promo codes into pools and issue each one to a single customer. Pools are being built and will appear here.
    </ComingSoon>
  );
}
