import { BlockStack, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { useLoaderData, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { listJobFailures } from "../jobs/failures.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const [shop, failures] = await Promise.all([
    admin.db.shop.findFirstOrThrow({ select: { domain: true, name: true, plan: true, contactEmail: true, scopes: true } }),
    listJobFailures(admin.shopId),
  ]);
  return {
    shop,
    failures: failures.map((f) => ({
      id: f.id.toString(),
      job: `${f.queue}/${f.jobName}`,
      error: f.error,
      attempts: f.attempts,
      failedAt: f.failedAt.toISOString(),
    })),
  };
};

export default function SettingsPage() {
  const { shop, failures } = useLoaderData<typeof loader>();
  return (
    <Page title="Settings">
      <Layout>
        <Layout.AnnotatedSection title="Store" description="What the platform told us about this store at install.">
          <Card>
            <BlockStack gap="200">
              <Text as="p">Domain: {shop.domain}</Text>
              <Text as="p">Name: {shop.name ?? "—"}</Text>
              <Text as="p">Plan: {shop.plan ?? "—"}</Text>
              <Text as="p">Contact email: {shop.contactEmail ?? "—"}</Text>
              <Text as="p">Granted scopes: {shop.scopes ?? "—"}</Text>
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Failed background jobs"
          description="Jobs that exhausted their retries or failed for a reason retrying cannot fix."
        >
          <Card>
            {failures.length === 0 ? (
              <Text as="p" tone="subdued">
                No failed jobs.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "text"]}
                headings={["Job", "Error", "Attempts", "Failed at"]}
                rows={failures.map((f) => [f.job, f.error, f.attempts, f.failedAt])}
              />
            )}
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
