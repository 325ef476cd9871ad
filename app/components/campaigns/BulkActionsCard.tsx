// A broadcast's tags and metafield, set by Shopify bulk operations (decision 0022): progress while they run, then
// how many members Shopify updated and the first it refused, by name.
import { Banner, BlockStack, Card, List, ProgressBar, Text } from "@shopify/polaris";
import type { BulkActionSummary } from "../../services/campaigns/bulk-actions.server";

/** As the loader sends it (app/services/campaigns/bulk-actions.server.ts). */
export type BulkActionView = BulkActionSummary;

const TITLES = { TAGS: "Customer tags", METAFIELD: "Code metafield" } as const;
const n = (value: number) => value.toLocaleString("en-US");

export function bulkActionsOpen(actions: readonly BulkActionView[]): boolean {
  return actions.some((a) => a.parts.pending + a.parts.running > 0);
}

export function BulkActionsCard({ actions }: { actions: readonly BulkActionView[] }) {
  if (!actions.length) return null;
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Shopify updates
        </Text>
        {actions.map((a) => {
          const open = a.parts.pending + a.parts.running > 0;
          // Lines Shopify has run: those of finished parts, and the running parts' count so far.
          const progress = a.members && open ? Math.round((100 * Math.min(a.members, a.processed)) / a.members) : 100;
          return (
            <BlockStack gap="200" key={a.kind}>
              <Text as="h3" variant="headingSm">
                {TITLES[a.kind]}
              </Text>
              <ProgressBar progress={progress} tone={a.parts.failed > 0 ? "critical" : "highlight"} />
              <Text as="p" tone="subdued">
                {open
                  ? `Shopify is updating ${n(a.members)} members in bulk: ${n(a.parts.succeeded + a.parts.failed)} of ${n(a.parts.total)} parts done.`
                  : `${n(a.succeeded)} of ${n(a.members)} members updated${a.failed ? `, ${n(a.failed)} refused by Shopify` : ""}.`}
              </Text>
              {a.errors.length ? (
                <Banner tone={a.parts.failed > 0 ? "critical" : "warning"}>
                  <List>
                    {a.errors.map((e) => (
                      <List.Item key={e}>{e}</List.Item>
                    ))}
                  </List>
                </Banner>
              ) : null}
              {a.failures.length ? (
                <BlockStack gap="100">
                  <Text as="p">{a.failures.length < a.failed ? `The first ${a.failures.length} refused:` : "Refused:"}</Text>
                  <List>
                    {a.failures.map((f) => (
                      <List.Item key={f.customerId}>
                        {f.customerName ?? "A customer"}: {f.message}
                      </List.Item>
                    ))}
                  </List>
                </BlockStack>
              ) : null}
            </BlockStack>
          );
        })}
      </BlockStack>
    </Card>
  );
}
