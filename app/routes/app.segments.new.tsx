// Create a segment with the rule builder; once saved, the merchant lands on its page and watches existing
// customers being counted in.
import { Layout, Page } from "@shopify/polaris";
import {
  redirect,
  useFetcher,
  useLoaderData,
  useLocation,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "react-router";
import { requireAdmin } from "../auth.server";
import { appHref } from "../components/pools/links";
import { EMPTY_RULES } from "../components/segments/draft";
import { SegmentForm } from "../components/segments/SegmentForm";
import { segmentFormErrors, segmentInputFromForm } from "../components/segments/segment-form.server";
import { builderOptions, createSegment } from "../services/segments/segments.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  return { options: await builderOptions(admin.db, admin.shopId) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const input = segmentInputFromForm(await request.formData());
  if ("error" in input) return { errors: { form: input.error } };
  const result = await createSegment(admin.db, admin.shopId, input);
  if (result.type === "saved")
    throw redirect(appHref(`/app/segments/${result.segment.id}`, new URL(request.url).search));
  return { errors: segmentFormErrors(result, input) };
};

export default function NewSegmentPage() {
  const { options } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<typeof action>();
  const { search } = useLocation();
  return (
    <Page title="Create segment" backAction={{ content: "Segments", url: appHref("/app/segments", search) }}>
      <Layout>
        <Layout.Section>
          <SegmentForm
            fetcher={fetcher}
            initialName=""
            initialRules={EMPTY_RULES}
            options={options}
            errors={fetcher.data?.errors}
            submitLabel="Save segment"
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
