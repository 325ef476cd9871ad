// A pool's codes, newest first: status tabs, search on the code, cursor pagination, the customer who holds an
// assigned code, and retiring a single available code or revoking a given-out one (in a dynamic pool), each after a
// confirmation. The view lives in the URL (status, q, cursor, prev).
import {
  Banner,
  Box,
  Button,
  Card,
  IndexFilters,
  IndexTable,
  Link,
  Modal,
  Text,
  type TabProps,
} from "@shopify/polaris";
import { useState } from "react";
import { useFetcher, useLocation } from "react-router";
import { ListFooter } from "../ListFooter";
import { useUrlSearch } from "../use-url-search";
import { appHref } from "./links";
import { CodeStatusBadge } from "./StatusBadge";

export const CODE_TABS = [
  { id: "all", label: "All" },
  { id: "available", label: "Available" },
  { id: "pending", label: "Being created" },
  { id: "assigned", label: "Assigned" },
  { id: "redeemed", label: "Redeemed" },
  { id: "retired", label: "Retired" },
  { id: "expired", label: "Expired" },
] as const;

export type CodeTab = (typeof CODE_TABS)[number]["id"];

/** Static pools have available codes; dynamic pools have codes being created on the store instead. */
export function codeTabs(kind: string) {
  return CODE_TABS.filter((t) => (kind === "DYNAMIC" ? t.id !== "available" : t.id !== "pending"));
}

export interface CodeRow {
  id: string;
  code: string;
  status: string;
  assignedAt: string | null;
  expiresAt: string | null;
  customer: { id: string; label: string } | null;
  /** A dynamic code the store still accepts (given out, or redeemed and able to be used again). */
  revocable: boolean;
}

export interface CodesView {
  rows: CodeRow[];
  tab: CodeTab;
  q: string;
  cursor: string | null;
  /** Cursors of the earlier pages, "first" for the first one. */
  prev: string[];
  nextCursor: string | null;
  total: number;
}


export function CodesCard({ view, kind = "STATIC" }: { view: CodesView; kind?: string }) {
  const { search } = useLocation();
  const retire = useFetcher();
  // The code whose retirement (an available code) or revocation (a given-out dynamic code) is being confirmed:
  // neither can be undone.
  const [confirming, setConfirming] = useState<{ row: CodeRow; intent: "retire-code" | "revoke-code" } | null>(null);
  const { go, pagination, filterProps } = useUrlSearch(view.q);

  const shown = codeTabs(kind);
  const dynamic = kind === "DYNAMIC";
  const tabs: TabProps[] = shown.map((t) => ({ id: `codes-${t.id}`, content: t.label, isLocked: true }));
  const selected = Math.max(
    0,
    shown.findIndex((t) => t.id === view.tab),
  );
  const retiring = retire.state !== "idle" ? retire.formData?.get("codeId") : null;
  const failure = retire.state === "idle" ? (retire.data as { error?: string } | undefined)?.error : undefined;

  return (
    <Card padding="0">
      {failure ? (
        <Box padding="300">
          <Banner tone="critical" title={failure} />
        </Box>
      ) : null}
      <IndexFilters
        tabs={tabs}
        selected={selected}
        onSelect={(index) => go({ status: index === 0 ? null : (shown[index]?.id ?? null), cursor: null, prev: null })}
        queryPlaceholder="Search codes"
        {...filterProps}
      />
      <IndexTable
        resourceName={{ singular: "code", plural: "codes" }}
        itemCount={view.rows.length}
        selectable={false}
        emptyState={
          <div style={{ padding: "var(--p-space-800) var(--p-space-400)", textAlign: "center" }}>
            <Text as="p" tone="subdued">
              {view.total === 0
                ? dynamic
                  ? "No codes yet. A code is created on your store each time a customer is issued one."
                  : "No codes yet. Upload a file, paste codes or generate them."
                : view.q
                  ? `No codes match "${view.q}".`
                  : "No codes with this status."}
            </Text>
          </div>
        }
        headings={[
          { title: "Code" },
          { title: "Status" },
          { title: "Customer" },
          { title: "Assigned" },
          { title: "Expires" },
          { title: "Actions", hidden: true },
        ]}
        pagination={pagination(view)}
      >
        {view.rows.map((c, i) => (
          <IndexTable.Row id={c.id} key={c.id} position={i}>
            <IndexTable.Cell>
              <Text as="span" fontWeight="medium">
                <code>{c.code}</code>
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <CodeStatusBadge status={c.status} />
            </IndexTable.Cell>
            <IndexTable.Cell>
              {c.customer ? (
                <Link url={appHref(`/app/customers/${c.customer.id}`, search)}>{c.customer.label}</Link>
              ) : (
                <Text as="span" tone="subdued">
                  —
                </Text>
              )}
            </IndexTable.Cell>
            <IndexTable.Cell>{c.assignedAt ?? "—"}</IndexTable.Cell>
            <IndexTable.Cell>{c.expiresAt ?? "—"}</IndexTable.Cell>
            <IndexTable.Cell>
              {c.status === "AVAILABLE" && !dynamic ? (
                <Button
                  size="slim"
                  tone="critical"
                  variant="plain"
                  loading={retiring === c.id}
                  accessibilityLabel={`Retire code ${c.code}`}
                  onClick={() => setConfirming({ row: c, intent: "retire-code" })}
                >
                  Retire
                </Button>
              ) : null}
              {c.revocable && dynamic ? (
                <Button
                  size="slim"
                  tone="critical"
                  variant="plain"
                  loading={retiring === c.id}
                  accessibilityLabel={`Revoke code ${c.code}`}
                  onClick={() => setConfirming({ row: c, intent: "revoke-code" })}
                >
                  Revoke
                </Button>
              ) : null}
            </IndexTable.Cell>
          </IndexTable.Row>
        ))}
      </IndexTable>
      <ListFooter shown={view.rows.length} total={view.total} noun="code" q={view.q} where="in the pool" />
      <Modal
        open={confirming !== null}
        onClose={() => setConfirming(null)}
        title={confirming ? `${confirming.intent === "revoke-code" ? "Revoke" : "Retire"} ${confirming.row.code}?` : "Retire code?"}
        primaryAction={{
          content: confirming?.intent === "revoke-code" ? "Revoke code" : "Retire code",
          destructive: true,
          onAction: () => {
            if (confirming) retire.submit({ intent: confirming.intent, codeId: confirming.row.id }, { method: "post" });
            setConfirming(null);
          },
        }}
        secondaryActions={[{ content: "Cancel", onAction: () => setConfirming(null) }]}
      >
        <Modal.Section>
          <Text as="p">
            {confirming?.intent === "revoke-code"
              ? `The store stops accepting it at checkout${confirming.row.customer ? `: ${confirming.row.customer.label} can no longer use it` : ""}. This cannot be undone.`
              : "It will never be issued. This cannot be undone."}
          </Text>
        </Modal.Section>
      </Modal>
    </Card>
  );
}
