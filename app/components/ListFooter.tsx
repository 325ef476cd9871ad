// The line under a searchable, paged list: how many rows are shown (and for what search) out of how many there are.
import { Text } from "@shopify/polaris";
import { formatNumber, plural } from "./pools/format";

export function ListFooter({ shown, total, noun, q, where }: { shown: number; total: number; noun: string; q: string; where: string }) {
  return (
    <div
      style={{
        padding: "var(--p-space-200) var(--p-space-400)",
        borderTop: "var(--p-border-width-025) solid var(--p-color-border-secondary)",
      }}
    >
      <Text as="p" tone="subdued" variant="bodySm">
        {shown === 0
          ? `${plural(total, noun)} ${where}`
          : `Showing ${plural(shown, noun)}${q ? ` matching "${q}"` : ""} · ${formatNumber(total)} ${where}`}
      </Text>
    </div>
  );
}
