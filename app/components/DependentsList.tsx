// The campaigns and scenarios a delete would change, named in its confirmation (see services/dependents.server).
import { BlockStack, Link, List, Text } from "@shopify/polaris";
import { useAppHref } from "./pools/links";

export interface DependentView {
  kind: "campaign" | "scenario" | "template";
  id: string;
  name: string;
  state: string;
}

export function DependentsList({ dependents, consequence }: { dependents: DependentView[]; consequence: string }) {
  const href = useAppHref();
  if (dependents.length === 0) return null;
  return (
    <BlockStack gap="100">
      <Text as="p">{consequence}</Text>
      <List type="bullet">
        {dependents.map((d) => (
          <List.Item key={`${d.kind}-${d.id}`}>
            <span data-testid="dependent">
              <Link url={href(`/app/${d.kind}s/${d.id}`)}>{d.name}</Link>{" "}
              ({d.kind}, {d.state})
            </span>
          </List.Item>
        ))}
      </List>
    </BlockStack>
  );
}
