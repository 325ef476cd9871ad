import { AppProvider, Button, Card, FormLayout, Link, Page, Text, TextField } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import { useState } from "react";
import { Form, useActionData, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from "react-router";
import { login } from "../shopify.server";

function errorFor(result: unknown): string | undefined {
  if (result && typeof result === "object" && "shop" in result) {
    const shop = (result as { shop?: string }).shop;
    if (shop === "MISSING_SHOP") return "Enter your shop domain to log in";
    if (shop === "INVALID_SHOP") return "Enter a valid shop domain (example.myshopify.com)";
  }
  return undefined;
}

export const loader = async ({ request }: LoaderFunctionArgs) => ({ error: errorFor(await login(request)) });
export const action = async ({ request }: ActionFunctionArgs) => ({ error: errorFor(await login(request)) });

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const error = actionData?.error ?? loaderData.error;
  return (
    <AppProvider i18n={enTranslations}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h2">
                Log in
              </Text>
              <TextField
                type="text"
                name="shop"
                label="Shop domain"
                helpText="example.myshopify.com"
                value={shop}
                onChange={setShop}
                autoComplete="on"
                error={error}
              />
              <Button submit>Log in</Button>
              <Text as="p" tone="subdued">
                On Magento? <Link url="/magento/login">Log in with your email</Link> or{" "}
                <Link url="/magento/signup">create an account</Link>.
              </Text>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </AppProvider>
  );
}
