// The name in the first column of an admin list: the row's primary link (IndexTable follows it on a click
// anywhere in the row), shown in the list's usual weight.
import { Link, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

export function RowLink({ url, children }: { url: string; children: ReactNode }) {
  return (
    <Link dataPrimaryLink monochrome removeUnderline url={url}>
      <Text as="span" fontWeight="semibold">
        {children}
      </Text>
    </Link>
  );
}
