import { BlockStack, Card, EmptyState, Page, Text } from "@shopify/polaris";

/** An honest empty state for a section whose feature has not shipped yet. */
export function ComingSoon({ title, heading, children }: { title: string; heading: string; children: string }) {
  return (
    <Page title={title}>
      <Card>
        <EmptyState heading={heading} image="">
          <BlockStack gap="200">
            <Text as="p" variant="bodyMd">
              {children}
            </Text>
          </BlockStack>
        </EmptyState>
      </Card>
    </Page>
  );
}
