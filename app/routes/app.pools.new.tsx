// Create a pool; on success the merchant lands on its page to add codes.
import { Card, Layout, Page } from "@shopify/polaris";
import { redirect, useFetcher, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { appHref } from "../components/pools/links";
import { EMPTY_POOL_FORM, PoolForm } from "../components/pools/PoolForm";
import { poolFormErrors, poolInputFromForm } from "../components/pools/pool-form.server";
import { createPool } from "../services/pools/pools.server";
import { platformShopOf } from "../services/shops.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  return { platform: (await platformShopOf(admin.db)).platform };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const admin = await requireAdmin(request);
  const input = poolInputFromForm(await request.formData());
  const result = await createPool(admin.db, admin.shopId, input);
  if (result.type === "saved") throw redirect(appHref(`/app/pools/${result.pool.id}`, new URL(request.url).search));
  return { errors: poolFormErrors(result, input) };
};

export default function NewPoolPage() {
  const fetcher = useFetcher<typeof action>();
  const { platform } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  return (
    <Page title="Create pool" backAction={{ content: "Pools", url: appHref("/app/pools", search) }} narrowWidth>
      <Layout>
        <Layout.Section>
          <Card>
            <PoolForm
              fetcher={fetcher}
              initial={EMPTY_POOL_FORM}
              errors={fetcher.data?.errors}
              submitLabel="Create pool"
              platform={platform}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
