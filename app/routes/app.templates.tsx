// Message templates: every template with its channel and how many messages it has sent.
import { Badge, Banner, Card, EmptyState, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { useLoaderData, useLocation, useNavigate, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { CHANNEL_LABELS } from "../components/messages/template-form";
import { formatDateTime, formatNumber } from "../components/pools/format";
import { appHref } from "../components/pools/links";
import { listTemplates } from "../services/templates.server";
import { RowLink } from "../components/RowLink";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const templates = await listTemplates(admin.db);
  return {
    deleted: new URL(request.url).searchParams.get("deleted"),
    templates: templates.map((t) => ({
      id: t.id,
      name: t.name,
      channel: t.channel === "SHOPIFY" ? "EMAIL" : t.channel,
      subject: t.subject,
      sent: t.sent,
      failed: t.failed,
      updatedAt: formatDateTime(t.updatedAt),
    })),
  };
};

export default function TemplatesPage() {
  const { templates, deleted } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const navigate = useNavigate();
  const createUrl = appHref("/app/templates/new", search);
  return (
    <Page title="Message templates" subtitle="Emails, SMS and push notifications your campaigns and scenarios send" primaryAction={{ content: "Create template", url: createUrl }}>
      <Layout>
        {deleted !== null ? (
          <Layout.Section>
            <Banner tone="success" title={`Template "${deleted}" deleted`} onDismiss={() => navigate(appHref("/app/templates", search), { replace: true })}>
              <p>Messages already sent with it keep their text.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card padding="0">
            {templates.length === 0 ? (
              <EmptyState heading="No message templates yet" action={{ content: "Create template", url: createUrl }} image="">
                <p>A template is the message a campaign or scenario sends, with placeholders for the customer&apos;s code and name.</p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "template", plural: "templates" }}
                itemCount={templates.length}
                selectable={false}
                headings={[{ title: "Name" }, { title: "Channel" }, { title: "Subject or title" }, { title: "Sent", alignment: "end" }, { title: "Failed", alignment: "end" }, { title: "Updated" }]}
              >
                {templates.map((t, i) => (
                  <IndexTable.Row id={t.id} key={t.id} position={i}>
                    <IndexTable.Cell>
                      <RowLink url={appHref(`/app/templates/${t.id}`, search)}>{t.name}</RowLink>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge>{CHANNEL_LABELS[t.channel]}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" tone="subdued" truncate>
                        {t.subject ?? "—"}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        {formatNumber(t.sent)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric tone={t.failed > 0 ? "critical" : undefined}>
                        {formatNumber(t.failed)}
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{t.updatedAt}</IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
