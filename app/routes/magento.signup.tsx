// Sign-up for Magento merchants: creates the shop and its account, signs the merchant in, and sends them to
// Settings > Magento to connect their store.
import { Banner, Button, FormLayout, Link, Text } from "@shopify/polaris";
import { data, Form, useActionData, useNavigation, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "react-router";
import { assertSameOrigin } from "../auth.server";
import { FormField } from "../components/FormField";
import { PublicPage, publicPageMeta } from "../components/PublicPage";
import { MIN_PASSWORD_LENGTH, type FieldErrors } from "../domain/merchant-accounts";
import { signUp } from "../services/merchant-accounts.server";
import { redirectIfSignedIn, signedIn } from "../services/merchant-pages.server";
import { ATTEMPT_RULES, checkAttempts, countAttempt, limitedMessage } from "../services/throttle.server";

const TITLE = "Promo Codes for Magento: create your account";

export const meta: MetaFunction = () => publicPageMeta(TITLE);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await redirectIfSignedIn(request);
  return null;
};

type ActionResult = { errors: FieldErrors; storeName: string; email: string; message?: string };

export const action = async ({ request, context }: ActionFunctionArgs) => {
  assertSameOrigin(request);
  const form = await request.formData();
  const input = {
    storeName: String(form.get("storeName") ?? ""),
    email: String(form.get("email") ?? ""),
    password: String(form.get("password") ?? ""),
  };
  const echo = { storeName: input.storeName, email: input.email };
  const throttle = await checkAttempts(ATTEMPT_RULES.signUp, context.clientAddress);
  if (throttle.type === "limited") {
    const limited: ActionResult = { ...echo, errors: {}, message: limitedMessage(throttle.retryAfterSeconds) };
    return data(limited, { status: 429 });
  }
  await countAttempt(ATTEMPT_RULES.signUp, context.clientAddress);
  const result = await signUp(input);
  switch (result.type) {
    case "created":
      return signedIn(result.sessionToken, "/app/settings/magento");
    case "invalid":
      return { ...echo, errors: result.errors } satisfies ActionResult;
    case "email_taken":
      return { ...echo, errors: { email: "An account already uses this email: log in, or set a new password" } } satisfies ActionResult;
  }
};

export default function MagentoSignup() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  return (
    <PublicPage title={TITLE}>
      <Form method="post">
        <FormLayout>
          {result && "message" in result && <Banner tone="critical">{result.message}</Banner>}
          {Object.keys(errors).length > 0 && <Banner tone="critical">Nothing was created: correct the fields below.</Banner>}
          <FormField label="Store name" name="storeName" autoComplete="organization" initial={result?.storeName ?? ""} error={errors.storeName} />
          <FormField
            label="Email"
            name="email"
            type="email"
            autoComplete="username"
            initial={result?.email ?? ""}
            error={errors.email}
            helpText="You log in with it; low-stock alerts go to it too."
          />
          <FormField
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            error={errors.password}
            helpText={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          />
          <Button submit variant="primary" loading={busy}>
            Create account
          </Button>
          <Text as="p" tone="subdued">
            Next you connect your store with a Magento integration token. Already have an account?{" "}
            <Link url="/magento/login">Log in</Link>.
          </Text>
        </FormLayout>
      </Form>
    </PublicPage>
  );
}
