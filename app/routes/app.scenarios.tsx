import type { LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { ComingSoon } from "../components/ComingSoon";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await requireAdmin(request);
  return null;
};

export default function ScenariosPage() {
  return (
    <ComingSoon title="Scenarios" heading="No scenarios yet">
      Scenarios react to orders with a delay, conditions and a code. Scenarios are being built and will appear here.
    </ComingSoon>
  );
}
