import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Link,
  Modal,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import {
  Form,
  useActionData,
  useFetcher,
  useLoaderData,
  useNavigation,
  useSubmit,
  type ActionFunctionArgs,
  type FetcherWithComponents,
  type LoaderFunctionArgs,
} from "react-router";
import { merchantSessionToken, requireAdmin } from "../auth.server";
import { useAppHref } from "../components/pools/links";
import { useUnsavedChanges } from "../components/UnsavedChanges";
import { useFormBaseline } from "../components/use-form-baseline";
import { MIN_PASSWORD_LENGTH } from "../domain/merchant-accounts";
import { changePassword } from "../services/merchant-accounts.server";
import { listJobFailures, retryShopJobFailure } from "../jobs/failures.server";
import { createApiKey, listApiKeys, revokeApiKey } from "../services/api-keys.server";
import { dataRequestExport, listOpenDataRequests, markDataRequestFulfilled } from "../services/privacy.server";
import { shopProfile } from "../services/shops.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const [shop, failures, apiKeys, dataRequests] = await Promise.all([
    shopProfile(admin.db),
    listJobFailures(admin.shopId),
    listApiKeys(admin.db),
    listOpenDataRequests(admin.db),
  ]);
  return {
    shop,
    merchant: admin.merchant,
    dataRequests: dataRequests.map((r) => ({
      id: r.id,
      requestId: r.requestId,
      customer: r.platformCustomerId,
      email: r.email,
      requestedAt: r.requestedAt.toISOString(),
      ready: r.export !== null,
    })),
    apiKeys: apiKeys.map((k) => ({
      id: k.id,
      name: k.name,
      hint: k.hint,
      active: k.active,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    })),
    failures: failures.map((f) => ({
      id: f.id.toString(),
      job: `${f.queue}/${f.jobName}`,
      error: f.error,
      attempts: f.attempts,
      failedAt: f.failedAt.toISOString(),
    })),
  };
};

type ActionResult =
  | { intent: "create"; secret?: string; name?: string; error?: string }
  | { intent: "revoke"; revoked?: { name: string; hint: string }; error?: string }
  | { intent: "export"; fileName?: string; json?: string; error?: string }
  | { intent: "fulfil"; done?: boolean; error?: string }
  | { intent: "password"; changed?: boolean; error?: string }
  | { intent: "retryFailure"; retried?: string; error?: string };

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult> => {
  const admin = await requireAdmin(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent === "retryFailure") {
    const retried = await retryShopJobFailure(admin.shopId, String(form.get("id") ?? ""));
    if (!retried) return { intent, error: "This job was already retried, or is not one of this store's." };
    if (retried.outcome === "unknown_queue") return { intent, error: `${retried.job} belongs to a queue this version of the app no longer has.` };
    return { intent, retried: retried.job };
  }
  if (intent === "password") {
    const token = merchantSessionToken(request);
    if (!admin.merchant || !token) return { intent, error: "Only a Magento merchant's own account has a password here." };
    const next = String(form.get("next") ?? "");
    if (next !== String(form.get("confirm") ?? "")) return { intent, error: "The two new passwords differ" };
    const result = await changePassword(token, { current: String(form.get("current") ?? ""), next });
    switch (result.type) {
      case "changed":
        return { intent, changed: true };
      case "wrong_current":
        return { intent, error: "The current password is wrong" };
      case "locked":
        return { intent, error: `Too many wrong passwords: try again after ${result.until.toISOString().slice(11, 16)} UTC` };
      case "invalid":
        return { intent, error: result.error };
    }
  }
  if (intent === "create") {
    const result = await createApiKey(admin.db, admin.shopId, String(form.get("name") ?? ""));
    switch (result.type) {
      case "created":
        return { intent, secret: result.secret, name: result.apiKey.name };
      case "invalid":
        return { intent, error: result.errors.name };
      case "limit_reached":
        return { intent, error: `A shop can have at most ${result.limit} active keys: revoke one first.` };
    }
  }
  if (intent === "revoke") {
    const result = await revokeApiKey(admin.db, String(form.get("id") ?? ""));
    return result.type === "revoked"
      ? { intent, revoked: { name: result.apiKey.name, hint: result.apiKey.hint } }
      : { intent, error: "That key no longer exists." };
  }
  if (intent === "export") {
    const request = await dataRequestExport(admin.db, String(form.get("id") ?? ""));
    if (!request) return { intent, error: "That data request no longer exists." };
    if (request.export === null)
      return { intent, error: "The export is still being assembled: try again in a minute." };
    return {
      intent,
      fileName: `customer-data-request-${request.requestId}.json`,
      json: JSON.stringify(request.export, null, 2),
    };
  }
  if (intent === "fulfil") {
    const done = await markDataRequestFulfilled(admin.db, String(form.get("id") ?? ""));
    return done ? { intent, done } : { intent, error: "That data request is already closed." };
  }
  throw new Response("Unknown action", { status: 400 });
};

type ApiKeyRow = ReturnType<typeof useLoaderData<typeof loader>>["apiKeys"][number];

function ApiKeysCard() {
  const { apiKeys } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  // A key created keeps its name in the field, saved: only a name not yet created is an unsaved edit.
  const created = result?.intent === "create" && result.secret ? result : null;
  const form = useFormBaseline("", { saved: created });
  const name = form.values;
  const setName = form.setValues;
  // The key whose revocation is being confirmed: revoking breaks whatever integration uses it, at once.
  const [revoking, setRevoking] = useState<ApiKeyRow | null>(null);
  const creating = navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  useUnsavedChanges({ dirty: form.dirty, saving: creating, onSave: form.submit, onDiscard: form.discard });
  return (
    <Card>
      <BlockStack gap="400">
        {result?.intent === "create" && result.secret ? (
          <Banner tone="success" title={`Key "${result.name}" created`}>
            <BlockStack gap="200">
              <p>Copy it now: it is shown once and stored only as a hash.</p>
              <Box padding="200" background="bg-surface-secondary" borderRadius="200">
                <Text as="p" variant="bodyMd" fontWeight="semibold" breakWord>
                  <code data-testid="new-api-key">{result.secret}</code>
                </Text>
              </Box>
            </BlockStack>
          </Banner>
        ) : null}
        {result?.intent === "revoke" && result.revoked ? (
          <Banner tone="info" title={`Key "${result.revoked.name}" (${result.revoked.hint}) revoked`} />
        ) : null}
        {result?.intent === "revoke" && result.error ? <Banner tone="critical" title={result.error} /> : null}
        <Form method="post" {...form.formProps}>
          <input type="hidden" name="intent" value="create" />
          {/* The button is connected to the field, so it keeps its own width and its label stays on one line. */}
          <TextField
            label="New key name"
            name="name"
            value={name}
            onChange={setName}
            autoComplete="off"
            placeholder="e.g. ERP sync"
            error={result?.intent === "create" ? result.error : undefined}
            connectedRight={
              <Button submit variant="primary" loading={creating}>
                Create key
              </Button>
            }
          />
        </Form>
        {apiKeys.length === 0 ? (
          <Text as="p" tone="subdued">
            No API keys yet.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "text"]}
            headings={["Name", "Key", "Last used", "Status", ""]}
            rows={apiKeys.map((k) => [
              k.name,
              k.hint,
              k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString("en-US") : "Never",
              k.active ? <Badge tone="success">Active</Badge> : <Badge>Revoked</Badge>,
              k.active ? (
                <Button
                  key={k.id}
                  tone="critical"
                  variant="plain"
                  accessibilityLabel={`Revoke ${k.name} (${k.hint})`}
                  onClick={() => setRevoking(k)}
                >
                  Revoke
                </Button>
              ) : (
                ""
              ),
            ])}
          />
        )}
      </BlockStack>
      <Modal
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={revoking ? `Revoke "${revoking.name}" (${revoking.hint})?` : "Revoke key?"}
        primaryAction={{
          content: "Revoke key",
          destructive: true,
          onAction: () => {
            if (revoking) submit({ intent: "revoke", id: revoking.id }, { method: "post" });
            setRevoking(null);
          },
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setRevoking(null) }]}
      >
        <Modal.Section>
          <Text as="p">
            Every request made with this key is refused from now on, so whatever integration uses it stops working. A
            revoked key cannot be restored: the integration needs a new key.
          </Text>
        </Modal.Section>
      </Modal>
    </Card>
  );
}

/** Hands the export to the browser as a file: the admin runs in an iframe, so no navigation to a download URL. */
function useDownload(result: { fileName?: string; json?: string } | undefined) {
  useEffect(() => {
    if (!result?.fileName || result.json === undefined) return;
    const url = URL.createObjectURL(new Blob([result.json], { type: "application/json" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = result.fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }, [result]);
}

/** What an action of a row answered when it could not do it. */
function ActionError({ error }: { error: string | undefined }) {
  return error ? (
    <Text as="p" tone="critical">
      {error}
    </Text>
  ) : null;
}

function RetryFailureButton({ failure }: { failure: ReturnType<typeof useLoaderData<typeof loader>>["failures"][number] }) {
  const fetcher = useFetcher<typeof action>();
  const error = fetcher.data?.intent === "retryFailure" ? fetcher.data.error : undefined;
  return (
    <BlockStack gap="050">
      <Button
        size="slim"
        loading={fetcher.state !== "idle"}
        accessibilityLabel={`Retry ${failure.job} (failed ${failure.failedAt})`}
        onClick={() => fetcher.submit({ intent: "retryFailure", id: failure.id }, { method: "post" })}
      >
        Retry
      </Button>
      <ActionError error={error} />
    </BlockStack>
  );
}

function DataRequestRow({
  request,
}: {
  request: ReturnType<typeof useLoaderData<typeof loader>>["dataRequests"][number];
}) {
  const exporter = useFetcher<typeof action>();
  const closer = useFetcher<typeof action>();
  useDownload(exporter.data?.intent === "export" ? exporter.data : undefined);
  const error = exporter.data?.error ?? closer.data?.error;
  return (
    <BlockStack gap="100">
      <InlineStack gap="300" blockAlign="center" align="space-between">
        <BlockStack gap="050">
          <Text as="p" fontWeight="semibold">
            {request.email ?? request.customer}
          </Text>
          <Text as="p" tone="subdued">
            Request {request.requestId} · {request.customer} · received{" "}
            {new Date(request.requestedAt).toLocaleString("en-US")}
          </Text>
        </BlockStack>
        <InlineStack gap="200">
          {request.ready ? <Badge tone="success">Ready</Badge> : <Badge tone="attention">Assembling</Badge>}
          <Button
            disabled={!request.ready}
            loading={exporter.state !== "idle"}
            accessibilityLabel={`Download data for request ${request.requestId}`}
            onClick={() => exporter.submit({ intent: "export", id: request.id }, { method: "post" })}
          >
            Download JSON
          </Button>
          <Button
            variant="plain"
            loading={closer.state !== "idle"}
            accessibilityLabel={`Mark request ${request.requestId} as sent`}
            onClick={() => closer.submit({ intent: "fulfil", id: request.id }, { method: "post" })}
          >
            Mark as sent
          </Button>
        </InlineStack>
      </InlineStack>
      <ActionError error={error} />
    </BlockStack>
  );
}

function DataRequestsCard() {
  const { dataRequests } = useLoaderData<typeof loader>();
  return (
    <Card>
      {dataRequests.length === 0 ? (
        <Text as="p" tone="subdued">
          No open customer data requests.
        </Text>
      ) : (
        <BlockStack gap="400">
          {dataRequests.map((r) => (
            <DataRequestRow key={r.id} request={r} />
          ))}
        </BlockStack>
      )}
    </Card>
  );
}

/**
 * A Magento merchant's own sign-in: change the password (which signs every other browser out). Through a fetcher,
 * so the save bar can save it alongside a new API key's name.
 */
function AccountCard({ email }: { email: string }) {
  const fetcher = useFetcher<typeof action>();
  const mine = fetcher.data?.intent === "password" ? fetcher.data : null;
  // Each changed password empties the form (a new key remounts it), the second one too.
  const [answer, setAnswer] = useState(mine);
  const [changes, setChanges] = useState(0);
  if (mine !== answer) {
    setAnswer(mine);
    if (mine?.changed) setChanges((n) => n + 1);
  }
  return (
    <Card>
      <PasswordForm key={changes} email={email} fetcher={fetcher} result={mine} />
    </Card>
  );
}

function PasswordForm({
  email,
  fetcher,
  result,
}: {
  email: string;
  fetcher: Pick<FetcherWithComponents<unknown>, "Form" | "state">;
  result: Extract<ActionResult, { intent: "password" }> | null;
}) {
  const busy = fetcher.state !== "idle";
  const form = useFormBaseline({ current: "", next: "", confirm: "" });
  useUnsavedChanges({ dirty: form.dirty, saving: busy, onSave: form.submit, onDiscard: form.discard });
  const field = (key: keyof typeof form.values) => ({
    name: key,
    value: form.values[key],
    onChange: (value: string) => form.setValues((v) => ({ ...v, [key]: value })),
  });
  return (
    <fetcher.Form method="post" {...form.formProps}>
      <input type="hidden" name="intent" value="password" />
      <BlockStack gap="300">
        <Text as="p">Signed in as {email}</Text>
        {result?.changed ? <Banner tone="success" title="Password changed: other browsers are signed out" /> : null}
        {result?.error ? (
          <Banner tone="critical">
            <p data-testid="password-error">{result.error}</p>
          </Banner>
        ) : null}
        <TextField label="Current password" type="password" autoComplete="current-password" {...field("current")} />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          helpText={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          {...field("next")}
        />
        <TextField label="New password again" type="password" autoComplete="new-password" {...field("confirm")} />
        <InlineStack>
          <Button submit loading={busy}>
            Change password
          </Button>
        </InlineStack>
      </BlockStack>
    </fetcher.Form>
  );
}

export default function SettingsPage() {
  const { shop, failures, merchant } = useLoaderData<typeof loader>();
  const href = useAppHref();
  // What Settings shows about the store: Magento shops have no domain, plan or scopes from an install.
  const storeCard =
    shop.platform === "MAGENTO"
      ? {
          description: "Your Magento store as this app knows it; its address and token are in the Magento connection.",
          rows: [
            ["Name", shop.name],
            ["Platform", "Magento 2"],
            ["Contact email (low-stock alerts)", shop.contactEmail],
          ] as [string, string | null][],
          note: `Account id (for support): ${shop.domain}`,
        }
      : {
          description: "What the platform told us about this store at install.",
          rows: [
            ["Domain", shop.domain],
            ["Name", shop.name],
            ["Plan", shop.plan],
            ["Contact email (low-stock alerts)", shop.contactEmail],
            // Stored comma-separated without spaces: one unbreakable word that ran out of the card.
            ["Granted scopes", shop.scopes ? shop.scopes.split(",").map((s) => s.trim()).filter(Boolean).join(", ") : null],
          ] as [string, string | null][],
          note: null,
        };
  return (
    <Page title="Settings">
      <Layout>
        <Layout.AnnotatedSection title="Store" description={storeCard.description}>
          <Card>
            <BlockStack gap="200">
              {storeCard.rows.map(([label, value]) => (
                <Text as="p" key={label} breakWord>
                  {label}: {value ?? "—"}
                </Text>
              ))}
              {storeCard.note ? (
                <Text as="p" tone="subdued">
                  {storeCard.note}
                </Text>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title="Connections" description="How the app sends messages and, on Magento, reaches the store.">
          <Card>
            <BlockStack gap="200">
              <Link url={href("/app/settings/channels")}>Messages: email (SMTP) and the SMS / push provider</Link>
              {shop.platform === "MAGENTO" ? <Link url={href("/app/settings/magento")}>Magento connection: store address, token, events</Link> : null}
            </BlockStack>
          </Card>
        </Layout.AnnotatedSection>
        {merchant ? (
          <Layout.AnnotatedSection title="Account" description="Your sign-in to this admin. Shopify merchants sign in through Shopify instead.">
            <AccountCard email={merchant.email} />
          </Layout.AnnotatedSection>
        ) : null}
        <Layout.AnnotatedSection
          title="API keys"
          description="Keys for the REST API (/api/v1) your own tools use to upload codes, issue them and export what was given out."
        >
          <ApiKeysCard />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Customer data requests"
          description="When a customer asks the store for their data, Shopify tells the app and we gather everything we hold on them (customer record, storefront activity, codes, orders, segments, messages). Download it, send it to the customer, then mark the request as sent."
        >
          <DataRequestsCard />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Failed background jobs"
          description="Jobs that exhausted their retries or failed for a reason retrying cannot fix. A job whose retries ran out (an outage) is retried on its own after 10 minutes, up to 3 times; Retry hands any of them back now."
        >
          <Card>
            {failures.length === 0 ? (
              <Text as="p" tone="subdued">
                No failed jobs.
              </Text>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "numeric", "text", "text"]}
                headings={["Job", "Error", "Attempts", "Failed at", ""]}
                rows={failures.map((f) => [f.job, f.error, f.attempts, f.failedAt, <RetryFailureButton key={f.id} failure={f} />])}
              />
            )}
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
