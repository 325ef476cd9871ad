// Settings > Magento: how the app reaches a Magento store (tested on save), the signing secret for the events the
// store pushes (shown once), order sync status, and what Magento cannot do. The access token and the secret never
// come back to the browser; the page only says whether they are set.
import { Badge, Banner, BlockStack, Box, Button, Card, FormLayout, InlineStack, Layout, List, Page, Text, TextField } from "@shopify/polaris";
import { Form, useActionData, useLoaderData, useLocation, useNavigation, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { requireAdmin } from "../auth.server";
import { withSearch } from "../components/nav";
import { useUnsavedChanges } from "../components/UnsavedChanges";
import { useFormBaseline } from "../components/use-form-baseline";
import { env } from "../env.server";
import { MAGENTO_CUSTOMER_RESTRICTION_NOTE, MAGENTO_EXPIRY_NOTE } from "../platforms/magento/limits";
import { SHOP_HEADER, SIGNATURE_HEADER } from "../services/magento/event-headers";
import {
  getMagentoConnectionView,
  rotateEventsSecret,
  saveMagentoConnection,
  type ConnectionField,
} from "../services/platform-connections.server";
import { platformShopOf } from "../services/shops.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const [shop, connection] = await Promise.all([platformShopOf(admin.db), getMagentoConnectionView(admin.db)]);
  return {
    platform: shop.platform,
    shopId: admin.shopId,
    eventsUrl: `${env().SHOPIFY_APP_URL.replace(/\/+$/, "")}/magento/events`,
    connection: connection && {
      baseUrl: connection.baseUrl,
      storeCode: connection.storeCode,
      tokenSet: connection.tokenSet,
      eventsSecretSet: connection.eventsSecretSet,
      websiteIds: connection.websiteIds.join(", "),
      customerGroupIds: connection.customerGroupIds.join(", "),
      verifiedAt: connection.verifiedAt?.toISOString() ?? null,
      lastError: connection.lastError,
      ordersSyncedAt: connection.ordersSyncedAt?.toISOString() ?? null,
    },
  };
};

type ActionResult =
  | { intent: "save"; ok: true; storeName: string; currency: string | null; warnings: string[]; eventsSecret: string | null }
  | { intent: "save"; ok: false; errors?: Partial<Record<ConnectionField, string>>; message?: string; hint?: string | null }
  | { intent: "rotate"; secret?: string; error?: string };

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent === "save") {
    const field = (name: string) => String(form.get(name) ?? "");
    const result = await saveMagentoConnection(admin.db, admin.shopId, {
      baseUrl: field("baseUrl"),
      storeCode: field("storeCode"),
      token: field("token"),
      websiteIds: field("websiteIds"),
      customerGroupIds: field("customerGroupIds"),
    });
    switch (result.type) {
      case "saved":
        return { intent, ok: true, storeName: result.store.name, currency: result.store.currencyCode, warnings: result.warnings, eventsSecret: result.eventsSecret };
      case "invalid":
        return { intent, ok: false, errors: result.errors };
      case "connection_failed":
        return { intent, ok: false, message: result.message, hint: result.hint };
      case "not_magento":
        return { intent, ok: false, message: "This store does not run on Magento." };
    }
  }
  if (intent === "rotate") {
    const result = await rotateEventsSecret(admin.db, admin.shopId);
    return result.type === "rotated" ? { intent, secret: result.secret } : { intent, error: "Save the connection first." };
  }
  throw new Response("Unknown action", { status: 400 });
};

function formatDate(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-US") : "never";
}

function SecretOnce({ secret }: { secret: string }) {
  return (
    <Banner tone="warning" title="Copy the events signing secret now">
      <BlockStack gap="200">
        <p>It is shown once and stored encrypted. Put it in your Magento module or webhook configuration.</p>
        <Box padding="200" background="bg-surface-secondary" borderRadius="200">
          <Text as="p" variant="bodyMd" fontWeight="semibold" breakWord>
            <code data-testid="events-secret">{secret}</code>
          </Text>
        </Box>
      </BlockStack>
    </Banner>
  );
}

function ConnectionCard() {
  const { connection } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const saving = navigation.state === "submitting" && navigation.formData?.get("intent") === "save";
  // A save that connects remounts the card (its key is the verification time): the saved values load as the baseline.
  const form = useFormBaseline({
    baseUrl: connection?.baseUrl ?? "",
    storeCode: connection?.storeCode ?? "default",
    token: "",
    websiteIds: connection?.websiteIds ?? "1",
    customerGroupIds: connection?.customerGroupIds ?? "0, 1",
  });
  const { values, setValues } = form;
  useUnsavedChanges({ dirty: form.dirty, saving, onSave: form.submit, onDiscard: form.discard });
  const set = (key: keyof typeof values) => (value: string) => setValues((v) => ({ ...v, [key]: value }));
  const saved = result?.intent === "save" && result.ok ? result : null;
  const failed = result?.intent === "save" && !result.ok ? result : null;
  const errors = failed?.errors ?? {};

  return (
    <Card>
      <BlockStack gap="400">
        {saved ? (
          <Banner tone="success" title={`Connected to ${saved.storeName}`}>
            <p>The connection works{saved.currency ? ` (store currency ${saved.currency})` : ""}. Settings saved.</p>
            {saved.warnings.length ? (
              <List>
                {saved.warnings.map((w) => (
                  <List.Item key={w}>{w}</List.Item>
                ))}
              </List>
            ) : null}
          </Banner>
        ) : null}
        {failed?.message ? (
          <Banner tone="critical" title="The connection did not work; nothing was saved">
            <BlockStack gap="200">
              <p data-testid="connection-error">{failed.message}</p>
              {failed.hint ? <p data-testid="connection-hint">{failed.hint}</p> : null}
            </BlockStack>
          </Banner>
        ) : null}
        {!result && connection?.lastError ? (
          <Banner tone="warning" title="The last background call to Magento failed">
            <p>{connection.lastError}</p>
          </Banner>
        ) : null}
        <InlineStack gap="200" blockAlign="center">
          <Text as="span" variant="bodyMd">
            Status:
          </Text>
          {connection?.verifiedAt ? <Badge tone="success">{`Verified ${formatDate(connection.verifiedAt)}`}</Badge> : <Badge>Not connected</Badge>}
        </InlineStack>
        <Form method="post" {...form.formProps}>
          <input type="hidden" name="intent" value="save" />
          <FormLayout>
            <TextField
              label="Store base URL"
              name="baseUrl"
              value={values.baseUrl}
              onChange={set("baseUrl")}
              autoComplete="off"
              placeholder="https://shop.example.com"
              helpText="The address your store is installed at, without /rest."
              error={errors.baseUrl}
            />
            <TextField
              label="Store code"
              name="storeCode"
              value={values.storeCode}
              onChange={set("storeCode")}
              autoComplete="off"
              helpText="The store view whose REST API the app uses; default for most stores."
              error={errors.storeCode}
            />
            <TextField
              label="Integration access token"
              name="token"
              type="password"
              value={values.token}
              onChange={set("token")}
              autoComplete="off"
              helpText={
                connection?.tokenSet
                  ? "A token is saved (it is never shown). Leave this empty to keep it."
                  : "System > Extensions > Integrations: the integration's Access Token."
              }
              error={errors.token}
            />
            <FormLayout.Group>
              <TextField
                label="Website IDs"
                name="websiteIds"
                value={values.websiteIds}
                onChange={set("websiteIds")}
                autoComplete="off"
                helpText="Where the app's cart price rules apply."
                error={errors.websiteIds}
              />
              <TextField
                label="Customer group IDs"
                name="customerGroupIds"
                value={values.customerGroupIds}
                onChange={set("customerGroupIds")}
                autoComplete="off"
                helpText="Who can use the codes: 0 is NOT LOGGED IN, 1 General."
                error={errors.customerGroupIds}
              />
            </FormLayout.Group>
            <Button submit variant="primary" loading={saving}>
              Save and test connection
            </Button>
          </FormLayout>
        </Form>
      </BlockStack>
    </Card>
  );
}

function EventsCard() {
  const { shopId, eventsUrl, connection } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const rotating = navigation.state === "submitting" && navigation.formData?.get("intent") === "rotate";
  const secret = result?.intent === "save" && result.ok ? result.eventsSecret : result?.intent === "rotate" ? result.secret : null;
  return (
    <Card>
      <BlockStack gap="300">
        {secret ? <SecretOnce secret={secret} /> : null}
        {result?.intent === "rotate" && result.error ? <Banner tone="critical" title={result.error} /> : null}
        <Text as="p">
          Send orders placed and product views as JSON with <code>POST</code> to:
        </Text>
        <Box padding="200" background="bg-surface-secondary" borderRadius="200">
          <Text as="p" breakWord>
            <code data-testid="events-url">{eventsUrl}</code>
          </Text>
        </Box>
        <List>
          <List.Item>
            Header <code>{SHOP_HEADER}</code>: <code data-testid="events-shop-id">{shopId}</code>
          </List.Item>
          <List.Item>
            Header <code>{SIGNATURE_HEADER}</code>: base64 of HMAC-SHA256 of the raw body, keyed with the signing secret.
          </List.Item>
        </List>
        <InlineStack gap="200" blockAlign="center">
          <Text as="span">Signing secret:</Text>
          {connection?.eventsSecretSet ? <Badge tone="success">Set</Badge> : <Badge>Not set yet: save the connection</Badge>}
        </InlineStack>
        {connection ? (
          <Form method="post">
            <input type="hidden" name="intent" value="rotate" />
            <Button submit loading={rotating}>
              Generate a new signing secret
            </Button>
          </Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function MagentoSettingsPage() {
  const { platform, connection } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  return (
    <Page title="Magento connection" backAction={{ content: "Settings", url: withSearch("/app/settings", search) }}>
      {platform !== "MAGENTO" ? (
        <Banner tone="info" title="This store runs on Shopify">
          <p>Magento settings apply to Magento stores only; this store's discounts are created on Shopify.</p>
        </Banner>
      ) : (
        <Layout>
          <Layout.AnnotatedSection
            title="Connection"
            description="In Magento, create an integration (System > Extensions > Integrations) with the API resources Marketing > Cart Price Rules, Stores > Settings > All Stores, Catalog > Products and Sales > Operations > Orders, activate it, and paste its access token here. Magento 2.4.4 and later also need Stores > Configuration > Services > OAuth > Consumer Settings > Allow OAuth Access Tokens to be used as standalone Bearer tokens = Yes."
          >
            {/* A new verification remounts the form, so the token typed in does not linger in the page. */}
            <ConnectionCard key={connection?.verifiedAt ?? "new"} />
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Events from your store"
            description="A Magento module or an Adobe Commerce webhook pushes orders and product views as they happen, so segments stay current."
          >
            <EventsCard />
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Order sync"
            description="For stores that cannot push: the app reads orders changed since its last look (GET /V1/orders by updated_at) every minute."
          >
            <Card>
              <Text as="p">
                Orders read up to: <span data-testid="orders-synced-at">{formatDate(connection?.ordersSyncedAt ?? null)}</span>
              </Text>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection title="What Magento cannot do" description="Differences from Shopify you will see in dynamic pools.">
            <Card>
              <List>
                <List.Item>{MAGENTO_CUSTOMER_RESTRICTION_NOTE}</List.Item>
                <List.Item>{MAGENTO_EXPIRY_NOTE}</List.Item>
              </List>
            </Card>
          </Layout.AnnotatedSection>
        </Layout>
      )}
    </Page>
  );
}
