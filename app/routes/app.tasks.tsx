import type { LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { ComingSoon } from "../components/ComingSoon";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await requireAdmin(request);
  return null;
};

export default function TasksPage() {
  return (
    <ComingSoon title="Tasks" heading="No tasks yet">
      Every scenario run will be listed here with its customer, order, status and code.
    </ComingSoon>
  );
}
