// The segment page's live data as JSON, polled while the page is open.
import { data, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { segmentLiveView } from "../components/segments/live.server";
import { isUuid } from "../domain/ids";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const segmentId = params.segmentId ?? "";
  const view = isUuid(segmentId) ? await segmentLiveView(admin.db, segmentId) : null;
  if (!view) throw data({ error: "No such segment" }, { status: 404 });
  return view;
};
