// Making a static pool's codes redeemable at checkout: the merchant picks one of the store's discounts (a Shopify
// code discount or a Magento sales rule), and a queued run adds the codes still missing to it, 250 at a time. Its
// progress shows here like an upload's, then how many codes were added and which ones the platform refused.
import { Banner, BlockStack, Button, Card, FormLayout, List, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import { useFetcher, useLocation } from "react-router";
import type { RedeemableStartAnswer, RedeemableTargets } from "../../services/pools/redeemable.server";
import { formatNumber, plural } from "./format";
import { appHref } from "./links";
import { RunProgress } from "./RunProgress";
import { isRunning, useImportProgress, useRevalidateWhenDone } from "./useImportProgress";

/** Refused codes listed on the card; the rest are counted. */
const FAILURES_SHOWN = 20;

export function RedeemableCard({ poolId }: { poolId: string }) {
  const { search } = useLocation();
  const url = appHref(`/app/pools/${poolId}/redeemable`, search);
  const targets = useFetcher<RedeemableTargets>();
  const start = useFetcher<RedeemableStartAnswer>();
  const [discountId, setDiscountId] = useState("");
  const answer = start.state === "idle" ? start.data : undefined;
  const importId = answer?.type === "started" ? answer.importId : null;
  const progress = useImportProgress(poolId, importId);
  useRevalidateWhenDone(progress);
  const running = importId !== null && isRunning(progress);
  const finished = importId !== null && progress !== null && !isRunning(progress) ? progress : null;
  const loaded = targets.data?.type === "ok" ? targets.data : null;
  const current = loaded?.discounts.find((d) => d.id === loaded.currentDiscountId);

  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Redeemable at checkout
          </Text>
          <Text as="p" tone="subdued">
            Adds the pool&apos;s codes to one of the store&apos;s discounts (a Shopify code discount or a Magento sales
            rule), so shoppers can use them at checkout.
          </Text>
        </BlockStack>
        {loaded === null ? (
          <Button onClick={() => void targets.load(url)} loading={targets.state !== "idle"}>
            Choose a discount
          </Button>
        ) : (
          <start.Form method="post" action={url}>
            <FormLayout>
              <Text as="p">
                {formatNumber(loaded.added)} of {plural(loaded.added + loaded.pending, "usable code")} on a discount
                {current ? ` (last added to ${current.title})` : ""}.
              </Text>
              {loaded.discounts.length === 0 ? (
                <Banner tone="info">The store has no code discount yet. Create one on the store, then choose it here.</Banner>
              ) : (
                <Select
                  label="Discount"
                  name="discountId"
                  options={[
                    { label: "Choose a discount", value: "" },
                    ...loaded.discounts.map((d) => ({ label: d.status ? `${d.title} (${d.status.toLowerCase()})` : d.title, value: d.id })),
                  ]}
                  value={discountId}
                  onChange={setDiscountId}
                />
              )}
              <Button submit variant="primary" disabled={!discountId || running} loading={start.state !== "idle"}>
                Add the codes
              </Button>
            </FormLayout>
          </start.Form>
        )}
        {targets.data?.type === "platform_error" ? (
          <Banner tone="critical" title="The store did not list its discounts">
            {targets.data.message}
          </Banner>
        ) : null}
        {answer?.type === "refused" ? <Banner tone="warning">{answer.message}</Banner> : null}
        {running ? (
          <RunProgress
            testId="redeemable-progress"
            label="Adding codes to the discount"
            percent={progress?.percent ?? null}
            detail={`${formatNumber(progress?.itemsDone ?? 0)} of ${plural(progress?.itemsTotal ?? (answer?.type === "started" ? answer.codes : 0), "code")}`}
          />
        ) : null}
        {finished ? (
          <Banner
            tone={finished.status === "FAILED" ? "critical" : finished.rejected > 0 ? "warning" : "success"}
            title={
              finished.status === "FAILED"
                ? `Stopped after ${plural(finished.accepted, "code")}: ${finished.error ?? "the platform refused the codes"}`
                : `${plural(finished.accepted, "code")} added${finished.rejected ? `, ${formatNumber(finished.rejected)} refused` : ""}`
            }
          >
            {finished.failures?.length ? (
              <List>
                {finished.failures.slice(0, FAILURES_SHOWN).map((f) => (
                  <List.Item key={f.code}>
                    {f.code}: {f.reason}
                  </List.Item>
                ))}
              </List>
            ) : null}
          </Banner>
        ) : null}
      </BlockStack>
    </Card>
  );
}
