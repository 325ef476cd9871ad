import type { LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { ComingSoon } from "../components/ComingSoon";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await requireAdmin(request);
  return null;
};

export default function SegmentsPage() {
  return (
    <ComingSoon title="Segments" heading="No segments yet">
      Segments group customers by what they viewed, bought and redeemed. The segment builder is being built and will appear here.
    </ComingSoon>
  );
}
