// The frame of the pages a merchant sees before signing in (Magento sign-up, log in, password reset): Polaris,
// without the admin's navigation.
import { AppProvider, Box, Card, Page, Text } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import type { MetaDescriptor } from "react-router";

/** The browser tab's title of a public page: its heading, and the app's name where the heading lacks it. */
export function publicPageMeta(title: string): MetaDescriptor[] {
  return [{ title: title.includes("Promo Codes") ? title : `${title} · Promo Codes for Magento` }];
}

export function PublicPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <AppProvider i18n={enTranslations}>
      <Page narrowWidth>
        <Box paddingBlockStart="800">
          <Card>
            <Box paddingBlockEnd="400">
              <Text variant="headingLg" as="h1">
                {title}
              </Text>
            </Box>
            {children}
          </Card>
        </Box>
      </Page>
    </AppProvider>
  );
}
