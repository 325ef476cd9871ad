// The page an emailed reset link opens: choose a new password; it signs this browser in and every other out.
import { Banner, Button, FormLayout, Link } from "@shopify/polaris";
import { Form, useActionData, useLoaderData, useNavigation, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "react-router";
import { assertSameOrigin } from "../auth.server";
import { FormField } from "../components/FormField";
import { PublicPage, publicPageMeta } from "../components/PublicPage";
import { MIN_PASSWORD_LENGTH } from "../domain/merchant-accounts";
import { resetLinkUsable, resetPassword } from "../services/merchant-accounts.server";
import { signedIn } from "../services/merchant-pages.server";

const TITLE = "Set a new password";

export const meta: MetaFunction = () => publicPageMeta(TITLE);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  return { token, usable: await resetLinkUsable(token) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  assertSameOrigin(request);
  const form = await request.formData();
  const password = String(form.get("password") ?? "");
  if (password !== String(form.get("confirm") ?? "")) return { error: "The two passwords differ" };
  const result = await resetPassword(String(form.get("token") ?? ""), password);
  switch (result.type) {
    case "reset":
      return signedIn(result.sessionToken, "/app");
    case "invalid":
      return { error: result.error };
    case "invalid_link":
      return { error: "This link has expired or was already used: ask for a new one" };
  }
};

export default function ResetPassword() {
  const { token, usable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  if (!usable && !result) {
    return (
      <PublicPage title={TITLE}>
        <Banner tone="critical">This link has expired or was already used.</Banner>
        <Link url="/magento/forgot-password">Ask for a new link</Link>
      </PublicPage>
    );
  }
  return (
    <PublicPage title={TITLE}>
      <Form method="post">
        <input type="hidden" name="token" value={token} />
        <FormLayout>
          {result?.error && (
            <Banner tone="critical">
              <p data-testid="reset-error">{result.error}</p>
            </Banner>
          )}
          <FormField label="New password" name="password" type="password" autoComplete="new-password" helpText={`At least ${MIN_PASSWORD_LENGTH} characters.`} />
          <FormField label="New password again" name="confirm" type="password" autoComplete="new-password" />
          <Button submit variant="primary" loading={busy}>
            Set password and log in
          </Button>
        </FormLayout>
      </Form>
    </PublicPage>
  );
}
