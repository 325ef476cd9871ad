// The frame of the pages a merchant sees before signing in (Magento sign-up, log in, password reset): Polaris,
// without the admin's navigation.
import { AppProvider, Box, Card, Page, Text } from "@shopify/polaris";
import enTranslations from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";

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
