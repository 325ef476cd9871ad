import { Card, EmptyState, Page } from "@shopify/polaris";
import { useLocation } from "react-router";
import { appHref } from "./pools/links";

/** The page an admin route shows when the record it was asked for is gone (deleted, redacted, another shop's). */
export function NotFoundPage(props: { title: string; heading: string; backLabel: string; backPath: string; children: string }) {
  const { search } = useLocation();
  const back = appHref(props.backPath, search);
  return (
    <Page title={props.title} backAction={{ content: props.backLabel, url: back }}>
      <Card>
        <EmptyState heading={props.heading} action={{ content: `Back to ${props.backLabel.toLowerCase()}`, url: back }} image="">
          <p>{props.children}</p>
        </EmptyState>
      </Card>
    </Page>
  );
}
