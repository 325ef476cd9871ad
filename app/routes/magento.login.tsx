// Log in for Magento merchants (Shopify merchants are signed in by Shopify and never see this page).
import { Banner, Button, FormLayout, InlineStack, Link, Text } from "@shopify/polaris";
import { data, Form, useActionData, useLoaderData, useNavigation, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "react-router";
import { assertSameOrigin } from "../auth.server";
import { FormField } from "../components/FormField";
import { PublicPage, publicPageMeta } from "../components/PublicPage";
import { logIn } from "../services/merchant-accounts.server";
import { redirectIfSignedIn, safeNext, signedIn } from "../services/merchant-pages.server";
import { ATTEMPT_RULES, checkAttempts, countAttempt, limitedMessage } from "../services/throttle.server";

const TITLE = "Log in to Promo Codes for Magento";

export const meta: MetaFunction = () => publicPageMeta(TITLE);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await redirectIfSignedIn(request);
  const url = new URL(request.url);
  return { next: safeNext(url.searchParams.get("next")), reset: url.searchParams.get("reset") === "1" };
};

export const action = async ({ request, context }: ActionFunctionArgs) => {
  assertSameOrigin(request);
  const form = await request.formData();
  const email = String(form.get("email") ?? "");
  const throttle = await checkAttempts(ATTEMPT_RULES.signIn, context.clientAddress);
  if (throttle.type === "limited") return data({ email, error: limitedMessage(throttle.retryAfterSeconds) }, { status: 429 });
  const result = await logIn({ email, password: String(form.get("password") ?? "") });
  if (result.type !== "signed_in") await countAttempt(ATTEMPT_RULES.signIn, context.clientAddress);
  switch (result.type) {
    case "signed_in":
      return signedIn(result.sessionToken, safeNext(form.get("next")));
    case "wrong":
      return { email, error: "The email or the password is wrong" };
    case "locked":
      return {
        email,
        error: `Too many wrong passwords: this account is locked until ${result.until.toISOString().slice(11, 16)} UTC. Set a new password to unlock it now.`,
      };
  }
};

export default function MagentoLogin() {
  const { next, reset } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <PublicPage title={TITLE}>
      <Form method="post">
        <input type="hidden" name="next" value={next} />
        <FormLayout>
          {reset && <Banner tone="info">If an account uses that address, it has an email with a link to set a new password.</Banner>}
          {result?.error && (
            <Banner tone="critical">
              <p data-testid="login-error">{result.error}</p>
            </Banner>
          )}
          <FormField label="Email" name="email" type="email" autoComplete="username" initial={result?.email ?? ""} />
          <FormField label="Password" name="password" type="password" autoComplete="current-password" />
          <InlineStack align="space-between" blockAlign="center">
            <Button submit variant="primary" loading={busy}>
              Log in
            </Button>
            <Link url="/magento/forgot-password">Forgot your password?</Link>
          </InlineStack>
          <Text as="p" tone="subdued">
            New here? <Link url="/magento/signup">Create an account for your Magento store</Link>. On Shopify, open the app from
            your Shopify admin instead.
          </Text>
        </FormLayout>
      </Form>
    </PublicPage>
  );
}
