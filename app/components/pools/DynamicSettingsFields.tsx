// The dynamic pool settings inside the pool form: value, what it applies to, who may use it, limits, expiry,
// combinability and code shape. Field names carry DYNAMIC_FIELD_PREFIX; dynamic-form.ts reads them back.
import {
  BlockStack,
  Checkbox,
  ChoiceList,
  Divider,
  FormLayout,
  InlineStack,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import type { ReactNode } from "react";
import { MAGENTO_CUSTOMER_RESTRICTION_NOTE, MAGENTO_EXPIRY_NOTE, MAGENTO_ONCE_PER_CUSTOMER_NOTE } from "../../platforms/magento/limits";
import type { PlatformKind } from "../../platforms/port";
import { DYNAMIC_FIELD_PREFIX, type DynamicFormField, type DynamicFormValues } from "./dynamic-form";

export type DynamicFieldErrors = Partial<Record<DynamicFormField, string>>;

interface Props {
  values: DynamicFormValues;
  onChange: <K extends DynamicFormField>(field: K, value: DynamicFormValues[K]) => void;
  errors?: DynamicFieldErrors;
  /** The store's platform: on Magento the form says which settings the store cannot honour as chosen. */
  platform?: PlatformKind;
}

const name = (field: DynamicFormField) => DYNAMIC_FIELD_PREFIX + field;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <BlockStack gap="300">
      <Divider />
      <Text as="h3" variant="headingSm">
        {title}
      </Text>
      {children}
    </BlockStack>
  );
}

function PlatformNote({ children }: { children: string }) {
  return (
    <Text as="p" tone="caution">
      {children}
    </Text>
  );
}

export function DynamicSettingsFields({ values, onChange, errors, platform }: Props) {
  const magento = platform === "MAGENTO";
  const set =
    <K extends DynamicFormField>(field: K) =>
    (value: DynamicFormValues[K]) =>
      onChange(field, value);
  const freeShipping = values.valueType === "free_shipping";

  return (
    <BlockStack gap="400">
      <Section title="Discount">
        <ChoiceList
          title="Value"
          name={name("valueType")}
          selected={[values.valueType]}
          onChange={(selected) => set("valueType")((selected[0] ?? "percentage") as DynamicFormValues["valueType"])}
          error={errors?.valueType}
          choices={[
            {
              label: "Percentage off",
              value: "percentage",
              renderChildren: (selected: boolean) =>
                selected ? (
                  <TextField
                    label="Percentage"
                    name={name("percent")}
                    type="number"
                    min={0}
                    max={100}
                    suffix="%"
                    value={values.percent}
                    onChange={set("percent")}
                    autoComplete="off"
                    error={errors?.percent}
                  />
                ) : null,
            },
            {
              label: "Fixed amount off",
              value: "fixed_amount",
              renderChildren: (selected: boolean) =>
                selected ? (
                  <TextField
                    label="Amount"
                    name={name("amount")}
                    value={values.amount}
                    onChange={set("amount")}
                    autoComplete="off"
                    helpText="In the store's currency, e.g. 10 or 12.50."
                    error={errors?.amount}
                  />
                ) : null,
            },
            { label: "Free shipping", value: "free_shipping" },
          ]}
        />
        <ChoiceList
          title="Applies to"
          name={name("appliesTo")}
          selected={[freeShipping ? "order" : values.appliesTo]}
          onChange={(selected) => set("appliesTo")((selected[0] ?? "order") as DynamicFormValues["appliesTo"])}
          error={errors?.appliesTo}
          choices={[
            { label: "The whole order", value: "order" },
            {
              label: "The products that triggered it",
              value: "triggered_products",
              disabled: freeShipping,
              helpText:
                "The products that made the customer qualify (from the segment or scenario that issues the code).",
            },
            {
              label: "Specific products or variants",
              value: "products",
              disabled: freeShipping,
              renderChildren: (selected: boolean) =>
                selected ? (
                  <FormLayout>
                    <TextField
                      label="Product ids"
                      name={name("productIds")}
                      value={values.productIds}
                      onChange={set("productIds")}
                      multiline={2}
                      autoComplete="off"
                      helpText="One per line: numeric ids or gid://shopify/Product/… ids."
                      error={errors?.productIds}
                    />
                    <TextField
                      label="Variant ids"
                      name={name("variantIds")}
                      value={values.variantIds}
                      onChange={set("variantIds")}
                      multiline={2}
                      autoComplete="off"
                      error={errors?.variantIds}
                    />
                  </FormLayout>
                ) : null,
            },
            {
              label: "Products in collections",
              value: "collections",
              disabled: freeShipping,
              renderChildren: (selected: boolean) =>
                selected ? (
                  <TextField
                    label="Collection ids"
                    name={name("collectionIds")}
                    value={values.collectionIds}
                    onChange={set("collectionIds")}
                    multiline={2}
                    autoComplete="off"
                    helpText="One per line: numeric ids or gid://shopify/Collection/… ids."
                    error={errors?.collectionIds}
                  />
                ) : null,
            },
          ]}
        />
      </Section>

      <Section title="Who can use it">
        <ChoiceList
          title="Customers"
          titleHidden
          name={name("usableBy")}
          selected={[values.usableBy]}
          onChange={(selected) => set("usableBy")(selected[0] === "anyone" ? "anyone" : "issued_customer")}
          error={errors?.usableBy}
          choices={[
            { label: "Only the customer it was issued to", value: "issued_customer" },
            { label: "Anyone holding the code", value: "anyone" },
          ]}
        />
        {magento ? <PlatformNote>{MAGENTO_CUSTOMER_RESTRICTION_NOTE}</PlatformNote> : null}
        <FormLayout.Group>
          <TextField
            label="Uses per code"
            name={name("usageLimit")}
            type="number"
            min={1}
            value={values.usageLimit}
            onChange={set("usageLimit")}
            autoComplete="off"
            helpText="Leave empty for no limit."
            error={errors?.usageLimit}
          />
          <TextField
            label="Minimum order amount"
            name={name("minimumSubtotal")}
            value={values.minimumSubtotal}
            onChange={set("minimumSubtotal")}
            autoComplete="off"
            helpText="Leave empty for none."
            error={errors?.minimumSubtotal}
          />
        </FormLayout.Group>
        <Checkbox
          label="Once per customer"
          name={name("oncePerCustomer")}
          checked={values.oncePerCustomer}
          onChange={set("oncePerCustomer")}
          error={errors?.oncePerCustomer}
        />
        {magento && values.oncePerCustomer ? <PlatformNote>{MAGENTO_ONCE_PER_CUSTOMER_NOTE}</PlatformNote> : null}
      </Section>

      <Section title="Expiry">
        <ChoiceList
          title="Each code expires"
          name={name("expiryType")}
          selected={[values.expiryType]}
          onChange={(selected) => set("expiryType")((selected[0] ?? "never") as DynamicFormValues["expiryType"])}
          error={errors?.expiryType}
          choices={[
            { label: "Never", value: "never" },
            {
              label: "A while after it is issued",
              value: "after",
              helpText: "Validity starts when the code is created for the customer.",
              renderChildren: (selected: boolean) =>
                selected ? (
                  <InlineStack gap="200" blockAlign="start" wrap={false}>
                    <div style={{ width: 120 }}>
                      <TextField
                        label="Valid for"
                        name={name("expiryAmount")}
                        type="number"
                        min={1}
                        value={values.expiryAmount}
                        onChange={set("expiryAmount")}
                        autoComplete="off"
                        error={errors?.expiryAmount}
                      />
                    </div>
                    <Select
                      label="Unit"
                      name={name("expiryUnit")}
                      value={values.expiryUnit}
                      onChange={(v) => set("expiryUnit")(v as DynamicFormValues["expiryUnit"])}
                      error={errors?.expiryUnit}
                      options={["minutes", "hours", "days", "weeks", "months"].map((u) => ({ label: u, value: u }))}
                    />
                  </InlineStack>
                ) : null,
            },
            {
              label: "On a fixed date",
              value: "fixed",
              renderChildren: (selected: boolean) =>
                selected ? (
                  <TextField
                    label="Ends at (UTC)"
                    name={name("expiryEndsAt")}
                    type="datetime-local"
                    value={values.expiryEndsAt}
                    onChange={set("expiryEndsAt")}
                    autoComplete="off"
                    error={errors?.expiryEndsAt}
                  />
                ) : null,
            },
          ]}
        />
        {magento ? <PlatformNote>{MAGENTO_EXPIRY_NOTE}</PlatformNote> : null}
      </Section>

      <Section title="Combines with">
        <BlockStack gap="100">
          <Checkbox
            label="Product discounts"
            helpText="The code still applies when the cart already holds discounted products."
            name={name("combineProduct")}
            checked={values.combineProduct}
            onChange={set("combineProduct")}
          />
          <Checkbox
            label="Order discounts"
            name={name("combineOrder")}
            checked={values.combineOrder}
            onChange={set("combineOrder")}
          />
          <Checkbox
            label="Shipping discounts"
            name={name("combineShipping")}
            checked={values.combineShipping && !freeShipping}
            disabled={freeShipping}
            onChange={set("combineShipping")}
            error={errors?.combineShipping}
          />
        </BlockStack>
      </Section>

      <Section title="Code shape">
        <FormLayout.Group>
          <TextField
            label="Prefix"
            name={name("prefix")}
            value={values.prefix}
            onChange={set("prefix")}
            autoComplete="off"
            maxLength={20}
            error={errors?.prefix}
          />
          <TextField
            label="Random characters"
            name={name("length")}
            type="number"
            min={6}
            max={32}
            value={values.length}
            onChange={set("length")}
            autoComplete="off"
            error={errors?.length}
          />
          <Select
            label="Characters"
            name={name("charset")}
            value={values.charset}
            onChange={(v) => set("charset")(v as DynamicFormValues["charset"])}
            error={errors?.charset}
            options={[
              { label: "Letters and digits", value: "alphanumeric_upper" },
              { label: "Letters", value: "letters_upper" },
              { label: "Digits", value: "digits" },
              { label: "Mixed-case letters and digits", value: "alphanumeric_mixed" },
            ]}
          />
        </FormLayout.Group>
        <Text as="p" tone="subdued" variant="bodySm">
          Cryptographically random, without look-alikes (0 O o 1 I i l). A code the store already has is replaced by a
          fresh one.
        </Text>
      </Section>
    </BlockStack>
  );
}
