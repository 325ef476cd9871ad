// The segment rule builder: groups of conditions, each group matching all or any of its conditions, the groups
// joined the same way; one editor per kind of condition, with pickers fed from the shop's catalog, pools, tags
// and orders. The draft travels to the action as JSON in a hidden field; errors come back keyed by field path and
// show next to the field they are about.
import {
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  InlineError,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import type { BuilderOptions } from "../../services/segments/segments.server";
import type { CompareOp, ConditionKind } from "../../domain/segments/rules";
import { DELIVERY_TYPE_LABELS } from "../scenarios/labels";
import { MultiPicker, type PickerOption } from "./MultiPicker";
import {
  fieldError,
  KIND_LABELS,
  KIND_SECTIONS,
  newCondition,
  newGroup,
  type ConditionDraft,
  type RulesDraft,
  type TargetType,
  type WindowDraft,
} from "./draft";

type Errors = Record<string, string> | null | undefined;

const OPS: { label: string; value: CompareOp }[] = [
  { label: "at least", value: "at_least" },
  { label: "more than", value: "more_than" },
  { label: "exactly", value: "exactly" },
  { label: "at most", value: "at_most" },
  { label: "less than", value: "less_than" },
];

const KIND_OPTIONS = KIND_SECTIONS.map((section) => ({
  title: section.title,
  options: section.kinds.map((kind) => ({ label: KIND_LABELS[kind], value: kind })),
}));

const TARGETS: { label: string; value: TargetType }[] = [
  { label: "any product", value: "any" },
  { label: "specific products", value: "products" },
  { label: "a product in collections", value: "collections" },
  { label: "a product by vendors (brands)", value: "vendors" },
  { label: "a product of types", value: "product_types" },
];

/** Products and collections are matched by id: a typed value must be one (a name is found in the list or not at all). */
const TYPED_IDS = {
  products: {
    accepts: (typed: string) => /^(?:\d{1,30}|gid:\/\/shopify\/Product\/\d{1,30})$/.test(typed),
    refusal: (typed: string) => `No product “${typed}” seen on the storefront yet: type its id (a number or gid://shopify/Product/…)`,
  },
  collections: {
    accepts: (typed: string) => /^(?:\d{1,30}|gid:\/\/shopify\/Collection\/\d{1,30})$/.test(typed),
    refusal: (typed: string) => `No collection “${typed}” seen on the storefront yet: type its id (a number or gid://shopify/Collection/…)`,
  },
};

export interface RuleBuilderProps {
  draft: RulesDraft;
  onChange(draft: RulesDraft): void;
  options: BuilderOptions;
  errors?: Errors;
}

export function RuleBuilder({ draft, onChange, options, errors }: RuleBuilderProps) {
  const setGroup = (g: number, group: RulesDraft["groups"][number]) =>
    onChange({ ...draft, groups: draft.groups.map((x, i) => (i === g ? group : x)) });
  const removeGroup = (g: number) => onChange({ ...draft, groups: draft.groups.filter((_, i) => i !== g) });
  const rulesError = errors?.["rules"] ?? errors?.["rules.groups"] ?? errors?.["rules.join"];

  return (
    <BlockStack gap="400">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span">Customers who match</Text>
        <div style={{ minWidth: 90 }}>
          <Select
            label="Groups joined by"
            labelHidden
            options={[
              { label: "all", value: "and" },
              { label: "any", value: "or" },
            ]}
            value={draft.join}
            onChange={(v) => onChange({ ...draft, join: v === "or" ? "or" : "and" })}
          />
        </div>
        <Text as="span">of these groups</Text>
      </InlineStack>
      {rulesError ? <InlineError message={rulesError} fieldID="segment-rules" /> : null}
      {draft.groups.map((group, g) => (
        <Card key={g}>
          <BlockStack gap="300">
            <InlineStack align="space-between" blockAlign="center">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h3" variant="headingSm">
                  {`Group ${g + 1}`}
                </Text>
                <Text as="span" tone="subdued">
                  matches
                </Text>
                <div style={{ minWidth: 90 }}>
                  <Select
                    label={`Group ${g + 1} joined by`}
                    labelHidden
                    options={[
                      { label: "all", value: "and" },
                      { label: "any", value: "or" },
                    ]}
                    value={group.join}
                    onChange={(v) => setGroup(g, { ...group, join: v === "or" ? "or" : "and" })}
                  />
                </div>
                <Text as="span" tone="subdued">
                  of its conditions
                </Text>
              </InlineStack>
              {draft.groups.length > 1 ? (
                <Button variant="plain" tone="critical" onClick={() => removeGroup(g)}>
                  {`Remove group ${g + 1}`}
                </Button>
              ) : null}
            </InlineStack>
            {errors?.[`rules.groups.${g}.conditions`] ? (
              <InlineError message={errors[`rules.groups.${g}.conditions`]!} fieldID={`group-${g}`} />
            ) : null}
            {group.conditions.map((condition, c) => (
              <Box key={c} padding="300" background="bg-surface-secondary" borderRadius="200">
                <ConditionEditor
                  g={g}
                  c={c}
                  draft={condition}
                  options={options}
                  errors={errors}
                  onChange={(next) =>
                    setGroup(g, { ...group, conditions: group.conditions.map((x, i) => (i === c ? next : x)) })
                  }
                  onRemove={
                    group.conditions.length > 1
                      ? () => setGroup(g, { ...group, conditions: group.conditions.filter((_, i) => i !== c) })
                      : undefined
                  }
                />
              </Box>
            ))}
            <InlineStack>
              <Button onClick={() => setGroup(g, { ...group, conditions: [...group.conditions, newCondition()] })}>
                Add condition
              </Button>
            </InlineStack>
          </BlockStack>
        </Card>
      ))}
      <InlineStack>
        <Button onClick={() => onChange({ ...draft, groups: [...draft.groups, newGroup()] })}>Add group</Button>
      </InlineStack>
    </BlockStack>
  );
}

interface ConditionEditorProps {
  g: number;
  c: number;
  draft: ConditionDraft;
  options: BuilderOptions;
  errors: Errors;
  onChange(draft: ConditionDraft): void;
  onRemove?: () => void;
}

function ConditionEditor({ g, c, draft, options, errors, onChange, onRemove }: ConditionEditorProps) {
  const set = <K extends keyof ConditionDraft>(key: K, value: ConditionDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const err = (...fields: string[]) => fieldError(errors, g, c, ...fields);
  const n = `${g + 1}.${c + 1}`;
  return (
    <BlockStack gap="300">
      <InlineStack align="space-between" blockAlign="end" gap="200">
        <div style={{ minWidth: 260 }}>
          <Select
            label={`Condition ${n}`}
            options={KIND_OPTIONS}
            value={draft.kind}
            onChange={(kind) => onChange(newCondition(kind as ConditionKind))}
            error={err("kind")}
          />
        </div>
        {onRemove ? (
          <Button variant="plain" tone="critical" onClick={onRemove} accessibilityLabel={`Remove condition ${n}`}>
            Remove
          </Button>
        ) : null}
      </InlineStack>
      <KindFields draft={draft} set={set} err={err} options={options} n={n} />
    </BlockStack>
  );
}

type Setter = <K extends keyof ConditionDraft>(key: K, value: ConditionDraft[K]) => void;
type ErrorOf = (...fields: string[]) => string | undefined;

function CountFields({
  draft,
  set,
  err,
  n,
  unit,
  field = "value",
}: {
  draft: ConditionDraft;
  set: Setter;
  err: ErrorOf;
  n: string;
  unit: string;
  field?: string;
}) {
  return (
    <InlineStack gap="200" blockAlign="start">
      <div style={{ minWidth: 130 }}>
        <Select
          label={`Comparison ${n}`}
          options={OPS}
          value={draft.op}
          onChange={(v) => set("op", v as CompareOp)}
          error={err("op")}
        />
      </div>
      <div style={{ width: 140 }}>
        <TextField
          label={`Number ${n}`}
          type="number"
          value={draft.value}
          onChange={(v) => set("value", v)}
          autoComplete="off"
          suffix={unit}
          error={err(field)}
        />
      </div>
    </InlineStack>
  );
}

function WindowFields({ draft, set, err, n }: { draft: ConditionDraft; set: Setter; err: ErrorOf; n: string }) {
  const w = draft.window;
  const setWindow = (next: Partial<WindowDraft>) => set("window", { ...w, ...next });
  return (
    <InlineStack gap="200" blockAlign="start">
      <div style={{ minWidth: 150 }}>
        <Select
          label={`When ${n}`}
          options={[
            { label: "ever", value: "ever" },
            { label: "in the last", value: "last" },
          ]}
          value={w.mode}
          onChange={(v) => setWindow({ mode: v === "last" ? "last" : "ever" })}
        />
      </div>
      {w.mode === "last" ? (
        <>
          <div style={{ width: 110 }}>
            <TextField
              label={`Window length ${n}`}
              type="number"
              value={w.value}
              onChange={(v) => setWindow({ value: v })}
              autoComplete="off"
              error={err("window")}
            />
          </div>
          <div style={{ minWidth: 100 }}>
            <Select
              label={`Window unit ${n}`}
              options={[
                { label: "days", value: "days" },
                { label: "hours", value: "hours" },
              ]}
              value={w.unit}
              onChange={(v) => setWindow({ unit: v === "hours" ? "hours" : "days" })}
            />
          </div>
        </>
      ) : null}
    </InlineStack>
  );
}

function PoolSelect({
  draft,
  set,
  err,
  n,
  options,
  allowAny,
}: {
  draft: ConditionDraft;
  set: Setter;
  err: ErrorOf;
  n: string;
  options: BuilderOptions;
  allowAny: boolean;
}) {
  const choices = [
    ...(allowAny ? [{ label: "any pool", value: "" }] : [{ label: "Choose a pool", value: "" }]),
    ...options.pools.map((p) => ({ label: p.name, value: p.id })),
  ];
  return (
    <div style={{ minWidth: 220 }}>
      <Select
        label={`Pool ${n}`}
        options={choices}
        value={draft.poolId}
        onChange={(v) => set("poolId", v)}
        error={err("poolId")}
      />
    </div>
  );
}

const asOptions = (values: string[], labels: Record<string, string> = {}): PickerOption[] =>
  values.map((v) => ({ value: v, label: labels[v] ?? v }));

function KindFields({
  draft,
  set,
  err,
  options,
  n,
}: {
  draft: ConditionDraft;
  set: Setter;
  err: ErrorOf;
  options: BuilderOptions;
  n: string;
}) {
  switch (draft.kind) {
    case "product_activity": {
      const pickerOptions: Record<Exclude<TargetType, "any">, PickerOption[]> = {
        products: options.products.map((p) => ({ value: p.id, label: p.title })),
        collections: options.collections.map((p) => ({ value: p.id, label: p.title })),
        vendors: asOptions(options.vendors),
        product_types: asOptions(options.productTypes),
      };
      return (
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="start">
            <div style={{ minWidth: 160 }}>
              <Select
                label={`Action ${n}`}
                options={[
                  { label: "Viewed", value: "viewed" },
                  { label: "Added to cart", value: "added_to_cart" },
                ]}
                value={draft.action}
                onChange={(v) => set("action", v === "added_to_cart" ? "added_to_cart" : "viewed")}
              />
            </div>
            <div style={{ minWidth: 240 }}>
              <Select
                label={`Products ${n}`}
                options={TARGETS}
                value={draft.targetType}
                onChange={(v) => set("targetType", v as TargetType)}
                error={err("target.type")}
              />
            </div>
          </InlineStack>
          {draft.targetType !== "any" ? (
            <MultiPicker
              label={`Pick ${TARGETS.find((t) => t.value === draft.targetType)!
                .label.replace(/^a product (in|by|of) /, "")
                .replace(/^specific /, "")} ${n}`}
              placeholder="Type to search"
              options={pickerOptions[draft.targetType]}
              selected={draft.picked}
              onChange={(v) => set("picked", v)}
              error={err("target")}
              typedRule={draft.targetType === "products" || draft.targetType === "collections" ? TYPED_IDS[draft.targetType] : undefined}
            />
          ) : null}
          <CountFields draft={draft} set={set} err={err} n={n} unit="times" />
          <WindowFields draft={draft} set={set} err={err} n={n} />
          <Checkbox
            label="Count each product once (views of several variants of one product count as one)"
            checked={draft.groupByRecord}
            onChange={(v) => set("groupByRecord", v)}
          />
        </BlockStack>
      );
    }
    case "order_count":
      return (
        <BlockStack gap="300">
          <CountFields draft={draft} set={set} err={err} n={n} unit="orders" />
          <WindowFields draft={draft} set={set} err={err} n={n} />
        </BlockStack>
      );
    case "total_spent":
      return (
        <BlockStack gap="300">
          <CountFields draft={draft} set={set} err={err} n={n} unit="spent" field="amount" />
          <WindowFields draft={draft} set={set} err={err} n={n} />
        </BlockStack>
      );
    case "days_since_last_order":
      return <CountFields draft={draft} set={set} err={err} n={n} unit="days" field="days" />;
    case "placed_order":
      return (
        <BlockStack gap="300">
          <WindowFields draft={draft} set={set} err={err} n={n} />
          <MultiPicker
            label={`Order source ${n}`}
            helpText="Any source when empty"
            options={asOptions(options.orderSources)}
            selected={draft.picked}
            onChange={(v) => set("picked", v)}
            error={err("sources")}
          />
          <MultiPicker
            label={`Delivery type ${n}`}
            helpText="Any delivery type when empty"
            options={asOptions(options.deliveryTypes, DELIVERY_TYPE_LABELS)}
            selected={draft.picked2}
            onChange={(v) => set("picked2", v)}
            error={err("deliveryTypes")}
          />
        </BlockStack>
      );
    case "customer_tags":
      return (
        <BlockStack gap="300">
          <div style={{ maxWidth: 220 }}>
            <Select
              label={`Tagged ${n}`}
              options={[
                { label: "with any of", value: "any" },
                { label: "with all of", value: "all" },
                { label: "with none of", value: "none" },
              ]}
              value={draft.match}
              onChange={(v) => set("match", v as ConditionDraft["match"])}
            />
          </div>
          <MultiPicker
            label={`Tags ${n}`}
            options={asOptions(options.tags)}
            selected={draft.picked}
            onChange={(v) => set("picked", v)}
            error={err("tags")}
          />
        </BlockStack>
      );
    case "marketing_consent":
      return (
        <div style={{ maxWidth: 260 }}>
          <Select
            label={`Consent ${n}`}
            options={[
              { label: "Accepts marketing", value: "yes" },
              { label: "Does not accept marketing", value: "no" },
            ]}
            value={draft.flag ? "yes" : "no"}
            onChange={(v) => set("flag", v === "yes")}
          />
        </div>
      );
    case "customer_created": {
      const byDate = draft.createdOp === "before" || draft.createdOp === "since";
      return (
        <InlineStack gap="200" blockAlign="start">
          <div style={{ minWidth: 200 }}>
            <Select
              label={`Created ${n}`}
              options={[
                { label: "in the last", value: "within_last" },
                { label: "this many days ago or more", value: "more_than_ago" },
                { label: "before", value: "before" },
                { label: "on or after", value: "since" },
              ]}
              value={draft.createdOp}
              onChange={(v) => set("createdOp", v as ConditionDraft["createdOp"])}
            />
          </div>
          {byDate ? (
            <TextField
              label={`Date ${n}`}
              type="date"
              value={draft.date}
              onChange={(v) => set("date", v)}
              autoComplete="off"
              error={err("date")}
            />
          ) : (
            <div style={{ width: 140 }}>
              <TextField
                label={`Days ${n}`}
                type="number"
                value={draft.value}
                onChange={(v) => set("value", v)}
                autoComplete="off"
                suffix="days"
                error={err("days")}
              />
            </div>
          )}
        </InlineStack>
      );
    }
    case "codes_issued":
      return (
        <BlockStack gap="300">
          <PoolSelect draft={draft} set={set} err={err} n={n} options={options} allowAny />
          <CountFields draft={draft} set={set} err={err} n={n} unit="codes" />
          <WindowFields draft={draft} set={set} err={err} n={n} />
        </BlockStack>
      );
    case "issued_from_pool":
    case "redeemed_from_pool":
      return (
        <BlockStack gap="300">
          <InlineStack gap="200" blockAlign="start">
            <div style={{ minWidth: 160 }}>
              <Select
                label={`Has ${n}`}
                options={
                  draft.kind === "issued_from_pool"
                    ? [
                        { label: "Received", value: "yes" },
                        { label: "Never received", value: "no" },
                      ]
                    : [
                        { label: "Redeemed", value: "yes" },
                        { label: "Did not redeem", value: "no" },
                      ]
                }
                value={draft.flag ? "yes" : "no"}
                onChange={(v) => set("flag", v === "yes")}
              />
            </div>
            <PoolSelect draft={draft} set={set} err={err} n={n} options={options} allowAny={false} />
          </InlineStack>
          <WindowFields draft={draft} set={set} err={err} n={n} />
        </BlockStack>
      );
  }
}
