// Asks for a password-reset link. The answer is the same whether or not the address has an account.
import { Banner, Button, FormLayout, Link } from "@shopify/polaris";
import { data, Form, redirect, useActionData, useNavigation, type ActionFunctionArgs, type MetaFunction } from "react-router";
import { assertSameOrigin } from "../auth.server";
import { systemMailer } from "../channels/email/mailer.server";
import { FormField } from "../components/FormField";
import { PublicPage, publicPageMeta } from "../components/PublicPage";
import { emailProblem } from "../domain/merchant-accounts";
import { env } from "../env.server";
import { requestPasswordReset } from "../services/merchant-accounts.server";
import { ATTEMPT_RULES, checkAttempts, countAttempt, limitedMessage } from "../services/throttle.server";

const TITLE = "Set a new password";

export const meta: MetaFunction = () => publicPageMeta(TITLE);

export const action = async ({ request, context }: ActionFunctionArgs) => {
  assertSameOrigin(request);
  const form = await request.formData();
  const email = String(form.get("email") ?? "");
  // A form sent empty or with a mistyped address is told so, not "a link is on its way": nothing is counted or sent.
  const problem = emailProblem(email);
  if (problem) return data({ error: problem }, { status: 400 });
  const throttle = await checkAttempts(ATTEMPT_RULES.passwordReset, context.clientAddress);
  if (throttle.type === "limited") return data({ error: limitedMessage(throttle.retryAfterSeconds) }, { status: 429 });
  await countAttempt(ATTEMPT_RULES.passwordReset, context.clientAddress);
  const result = await requestPasswordReset(email, { mailer: systemMailer(), appUrl: env().SHOPIFY_APP_URL });
  if (result.type === "no_mailer") {
    return { error: "This installation of the app cannot send email (no SMTP_URL is set): ask its operator to reset the password." };
  }
  return redirect("/magento/login?reset=1");
};

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <PublicPage title={TITLE}>
      <Form method="post">
        <FormLayout>
          {result?.error && <Banner tone="critical">{result.error}</Banner>}
          <FormField label="Email" name="email" type="email" autoComplete="username" helpText="We email a link that works once, within an hour." />
          <Button submit variant="primary" loading={busy}>
            Email me a link
          </Button>
          <Link url="/magento/login">Back to log in</Link>
        </FormLayout>
      </Form>
    </PublicPage>
  );
}
