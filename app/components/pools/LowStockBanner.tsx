// The pools past their low-stock line (lowStockPools), linked to each pool so the merchant can refill it.
import { Banner, Link, List, Text } from "@shopify/polaris";
import { useAppHref } from "./links";

export interface LowStockPool {
  id: string;
  name: string;
}

export function LowStockBanner({ pools }: { pools: readonly LowStockPool[] }) {
  const href = useAppHref();
  const [only] = pools;
  if (!only) return null;
  if (pools.length === 1) {
    return (
      <Banner
        tone="warning"
        title={`Pool "${only.name}" is running low on codes`}
        action={{ content: "Add codes", url: href(`/app/pools/${only.id}`) }}
      >
        <Text as="p">Upload or generate more codes so customers keep getting theirs.</Text>
      </Banner>
    );
  }
  return (
    <Banner tone="warning" title={`${pools.length} pools are running low on codes`}>
      <Text as="p">Upload or generate more codes so customers keep getting theirs.</Text>
      <List type="bullet">
        {pools.map((p) => (
          <List.Item key={p.id}>
            <Link url={href(`/app/pools/${p.id}`)}>{p.name}</Link>
          </List.Item>
        ))}
      </List>
    </Banner>
  );
}
