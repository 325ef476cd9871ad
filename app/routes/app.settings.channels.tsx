// Settings > Messages: how the shop's messages leave. Email through the shop's own SMTP server (tested by logging
// in when saved; nothing is stored that does not work), SMS and push through the merchant's provider as a signed
// JSON POST. The SMTP password and the signing secrets never come back to the browser: the page only says whether
// they are set, and a generated signing secret is shown once.
import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, FormLayout, InlineStack, Layout, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { useFetcher, useLoaderData, useLocation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from "../channels/provider/webhook.server";
import { formatDateTime } from "../components/pools/format";
import { withSearch } from "../components/nav";
import { useUnsavedChanges } from "../components/UnsavedChanges";
import { useFormBaseline } from "../components/use-form-baseline";
import {
  getChannelViews,
  saveEmailChannel,
  saveProviderChannel,
  type EmailField,
  type ProviderChannelView,
  type ProviderField,
} from "../services/channels.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const views = await getChannelViews(admin.db);
  const provider = (view: ProviderChannelView | null) =>
    view && { enabled: view.enabled, url: view.config.url, secretSet: view.secretSet, lastError: view.lastError, updated: view.verifiedAt ? formatDateTime(view.verifiedAt) : null };
  return {
    headers: { signature: SIGNATURE_HEADER, timestamp: TIMESTAMP_HEADER },
    email: views.email && {
      enabled: views.email.enabled,
      host: views.email.config.host,
      port: String(views.email.config.port),
      security: views.email.config.secure ? "tls" : "starttls",
      user: views.email.config.user ?? "",
      fromAddress: views.email.config.fromAddress,
      fromName: views.email.config.fromName ?? "",
      passwordSet: views.email.passwordSet,
      verifiedAt: views.email.verifiedAt ? formatDateTime(views.email.verifiedAt) : null,
      lastError: views.email.lastError,
    },
    sms: provider(views.sms),
    push: provider(views.push),
  };
};

type EmailResult = { intent: "email"; ok: true } | { intent: "email"; ok: false; errors?: Partial<Record<EmailField, string>>; message?: string };
type ProviderResult =
  | { intent: "SMS" | "PUSH"; ok: true; generatedSecret: string | null }
  | { intent: "SMS" | "PUSH"; ok: false; errors: Partial<Record<ProviderField, string>> };

export const action = async ({ request }: ActionFunctionArgs): Promise<EmailResult | ProviderResult> => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const field = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const intent = field("intent");
  if (intent === "email") {
    const result = await saveEmailChannel(admin.db, admin.shopId, {
      enabled: field("enabled") === "on",
      host: field("host"),
      port: field("port"),
      security: field("security"),
      user: field("user"),
      password: field("password"),
      fromAddress: field("fromAddress"),
      fromName: field("fromName"),
    });
    if (result.type === "saved") return { intent, ok: true };
    if (result.type === "invalid") return { intent, ok: false, errors: result.errors };
    return { intent, ok: false, message: result.message };
  }
  if (intent === "SMS" || intent === "PUSH") {
    const result = await saveProviderChannel(admin.db, admin.shopId, intent, { enabled: field("enabled") === "on", url: field("url"), secret: field("secret") });
    return result.type === "saved" ? { intent, ok: true, generatedSecret: result.generatedSecret } : { intent, ok: false, errors: result.errors };
  }
  throw new Response("Unknown action", { status: 400 });
};

function EmailCard() {
  const { email } = useLoaderData<typeof loader>();
  const fetcher = useFetcher<EmailResult>();
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const form = useFormBaseline(
    {
      enabled: email?.enabled ?? true,
      host: email?.host ?? "",
      port: email?.port ?? "587",
      security: email?.security ?? "starttls",
      user: email?.user ?? "",
      password: "",
      fromAddress: email?.fromAddress ?? "",
      fromName: email?.fromName ?? "",
    },
    { saved: result?.ok ? result : null },
  );
  const { values, setValues } = form;
  useUnsavedChanges({ dirty: form.dirty, saving: fetcher.state !== "idle", onSave: form.submit, onDiscard: form.discard });
  const set = (key: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const errors = result && !result.ok ? (result.errors ?? {}) : {};
  return (
    <Card>
      <fetcher.Form method="post" {...form.formProps}>
        <input type="hidden" name="intent" value="email" />
        <FormLayout>
          {result?.ok ? <Banner tone="success" title="Connected: the server accepted the login. Settings saved." /> : null}
          {result && !result.ok && result.message ? (
            <Banner tone="critical" title="The SMTP server did not work; nothing was saved">
              <p data-testid="smtp-error">{result.message}</p>
            </Banner>
          ) : null}
          {!result && email?.lastError ? (
            <Banner tone="warning" title="The last email delivery through this server failed">
              <p>{email.lastError}</p>
            </Banner>
          ) : null}
          <InlineStack gap="200" blockAlign="center">
            <Text as="span">Status:</Text>
            {email?.verifiedAt ? <Badge tone="success">{`Tested ${email.verifiedAt}`}</Badge> : <Badge>Not set up</Badge>}
            {email && !email.enabled ? <Badge tone="warning">Turned off</Badge> : null}
          </InlineStack>
          <Checkbox label="Send emails through this server" name="enabled" value="on" checked={values.enabled} onChange={(checked) => setValues((v) => ({ ...v, enabled: checked }))} />
          <FormLayout.Group>
            <TextField label="SMTP host" name="host" value={values.host} onChange={set("host")} autoComplete="off" placeholder="smtp.example.com" error={errors.host} />
            <TextField label="Port" name="port" value={values.port} onChange={set("port")} autoComplete="off" error={errors.port} />
            <Select
              label="Encryption"
              name="security"
              options={[
                { label: "STARTTLS (port 587)", value: "starttls" },
                { label: "TLS from the start (port 465)", value: "tls" },
              ]}
              value={values.security}
              onChange={set("security")}
              error={errors.security}
            />
          </FormLayout.Group>
          <FormLayout.Group>
            <TextField label="User name" name="user" value={values.user} onChange={set("user")} autoComplete="off" error={errors.user} helpText="Leave empty if the server needs no login." />
            <TextField
              label="Password"
              name="password"
              type="password"
              value={values.password}
              onChange={set("password")}
              autoComplete="new-password"
              error={errors.password}
              helpText={email?.passwordSet ? "A password is saved (it is never shown). Leave this empty to keep it." : undefined}
            />
          </FormLayout.Group>
          <FormLayout.Group>
            <TextField label="From address" name="fromAddress" type="email" value={values.fromAddress} onChange={set("fromAddress")} autoComplete="off" error={errors.fromAddress} />
            <TextField label="From name" name="fromName" value={values.fromName} onChange={set("fromName")} autoComplete="off" error={errors.fromName} />
          </FormLayout.Group>
          <Button submit variant="primary" loading={fetcher.state !== "idle"}>
            Save and test
          </Button>
        </FormLayout>
      </fetcher.Form>
    </Card>
  );
}

function ProviderCard({ channel }: { channel: "SMS" | "PUSH" }) {
  const loaded = useLoaderData<typeof loader>();
  const view = channel === "SMS" ? loaded.sms : loaded.push;
  const fetcher = useFetcher<ProviderResult>();
  const result = fetcher.state === "idle" ? fetcher.data : undefined;
  const form = useFormBaseline({ url: view?.url ?? "", secret: "", enabled: view?.enabled ?? true }, { saved: result?.ok ? result : null });
  useUnsavedChanges({ dirty: form.dirty, saving: fetcher.state !== "idle", onSave: form.submit, onDiscard: form.discard });
  const { url, secret, enabled } = form.values;
  const setUrl = (next: string) => form.setValues((v) => ({ ...v, url: next }));
  const setSecret = (next: string) => form.setValues((v) => ({ ...v, secret: next }));
  const setEnabled = (next: boolean) => form.setValues((v) => ({ ...v, enabled: next }));
  const errors = result && !result.ok ? result.errors : {};
  const label = channel === "SMS" ? "SMS" : "push";
  return (
    <Card>
      <fetcher.Form method="post" {...form.formProps}>
        <input type="hidden" name="intent" value={channel} />
        <FormLayout>
          {result?.ok ? <Banner tone="success" title="Settings saved" /> : null}
          {result?.ok && result.generatedSecret ? (
            <Banner tone="warning" title="Copy the signing secret now">
              <BlockStack gap="200">
                <p>It is shown once and stored encrypted. Your provider (or relay) checks each request with it.</p>
                <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                  <Text as="p" fontWeight="semibold" breakWord>
                    <code data-testid={`${channel.toLowerCase()}-secret`}>{result.generatedSecret}</code>
                  </Text>
                </Box>
              </BlockStack>
            </Banner>
          ) : null}
          {!result && view?.lastError ? (
            <Banner tone="warning" title={`The last ${label} delivery failed`}>
              <p>{view.lastError}</p>
            </Banner>
          ) : null}
          {!view && !result?.ok ? (
            <Text as="p" tone="caution" fontWeight="medium">
              {`Not set up yet: ${label} messages are not sent until a provider is saved here.`}
            </Text>
          ) : null}
          <Checkbox label={`Send ${label} messages through this provider`} name="enabled" value="on" checked={enabled} onChange={setEnabled} />
          <TextField label="Provider URL" name="url" value={url} onChange={setUrl} autoComplete="off" placeholder={`https://${channel === "SMS" ? "sms" : "push"}.example.com/hooks/promo`} error={errors.url} />
          <TextField
            label="Signing secret"
            name="secret"
            type="password"
            value={secret}
            onChange={setSecret}
            autoComplete="new-password"
            error={errors.secret}
            helpText={view?.secretSet ? "A secret is saved (it is never shown). Leave this empty to keep it." : "Leave empty to have one generated."}
          />
          <Button submit variant="primary" loading={fetcher.state !== "idle"}>
            Save
          </Button>
        </FormLayout>
      </fetcher.Form>
    </Card>
  );
}

export default function ChannelSettingsPage() {
  const { search } = useLocation();
  const { headers } = useLoaderData<typeof loader>();
  return (
    <Page title="Messages" backAction={{ content: "Settings", url: withSearch("/app/settings", search) }}>
      <Layout>
        <Layout.AnnotatedSection
          title="Email"
          description="Campaign and scenario emails go out through your own SMTP server (your email provider's SMTP settings). Saving logs in once to check them."
        >
          <EmailCard />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title="SMS" description="Text messages go to your SMS provider, or a relay of your own, as a signed JSON request.">
          <ProviderCard channel="SMS" />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title="Push" description="Push notifications go to your push provider the same way, addressed to the customer's store id.">
          <ProviderCard channel="PUSH" />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title="What your provider receives" description="One POST per message; answer 2xx once it is accepted.">
          <Card>
            <List>
              <List.Item>
                Body (JSON): <code>messageId</code>, <code>channel</code> (sms or push), <code>to</code>, <code>body</code>, <code>shop</code>, and{" "}
                <code>title</code> for push.
              </List.Item>
              <List.Item>
                <code>{headers.timestamp}</code>: Unix seconds. <code>{headers.signature}</code>: <code>sha256=</code> and the hex HMAC-SHA256 of{" "}
                <code>{"<timestamp>.<body>"}</code> with the signing secret.
              </List.Item>
              <List.Item>
                <code>Idempotency-Key</code>: the message id; a retried request carries the same one.
              </List.Item>
              <List.Item>5xx, 408 and 429 (with Retry-After) are retried with backoff; other 4xx mark the message failed.</List.Item>
            </List>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
