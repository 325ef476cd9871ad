// Picks several values from a list (products, collections, vendors, tags, ...) by typing to filter it; what is not
// in the list can be added as typed (an id the catalog has not seen yet, a new tag). Picked values show as tags.
import { Combobox, InlineStack, Listbox, Tag, BlockStack } from "@shopify/polaris";
import { useMemo, useState } from "react";

export interface PickerOption {
  value: string;
  label: string;
}

export interface MultiPickerProps {
  label: string;
  placeholder?: string;
  options: PickerOption[];
  selected: string[];
  onChange(selected: string[]): void;
  error?: string;
  /** Whether a typed value that is not an option can be added. */
  allowFreeText?: boolean;
  /**
   * Which typed values can be added (ids only, for products and collections: a typed name would never match); for
   * one that cannot, the list says why instead of offering it.
   */
  typedRule?: { accepts(typed: string): boolean; refusal(typed: string): string };
  helpText?: string;
}

const SHOWN = 50;

export function MultiPicker({
  label,
  placeholder,
  options,
  selected,
  onChange,
  error,
  allowFreeText = true,
  typedRule,
  helpText,
}: MultiPickerProps) {
  const [query, setQuery] = useState("");
  const labels = useMemo(() => new Map(options.map((o) => [o.value, o.label])), [options]);
  const needle = query.trim().toLowerCase();
  const matches = useMemo(
    () =>
      options
        .filter((o) => !needle || o.label.toLowerCase().includes(needle) || o.value.toLowerCase().includes(needle))
        .slice(0, SHOWN),
    [options, needle],
  );
  const typed = query.trim();
  const newTyped = allowFreeText && typed !== "" && !options.some((o) => o.value === typed || o.label === typed) && !selected.includes(typed);
  const canAddTyped = newTyped && (!typedRule || typedRule.accepts(typed));
  // Nothing in the list matches what was typed, and it cannot be added as it is: say why rather than show nothing.
  const refusal = newTyped && !canAddTyped && matches.length === 0 ? typedRule!.refusal(typed) : null;

  const toggle = (value: string) => {
    onChange(selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value]);
    setQuery("");
  };

  return (
    <BlockStack gap="200">
      <Combobox
        allowMultiple
        activator={
          <Combobox.TextField
            label={label}
            value={query}
            onChange={setQuery}
            placeholder={placeholder}
            autoComplete="off"
            error={error}
            helpText={helpText}
          />
        }
      >
        {refusal ? (
          <Listbox>
            <Listbox.Action value="" disabled>
              {refusal}
            </Listbox.Action>
          </Listbox>
        ) : matches.length || canAddTyped ? (
          <Listbox onSelect={toggle}>
            {canAddTyped ? (
              <Listbox.Option value={typed} selected={false} accessibilityLabel={`Add ${typed}`}>
                {`Add "${typed}"`}
              </Listbox.Option>
            ) : null}
            {matches.map((o) => (
              <Listbox.Option
                key={o.value}
                value={o.value}
                selected={selected.includes(o.value)}
                accessibilityLabel={o.label}
              >
                {o.label}
              </Listbox.Option>
            ))}
          </Listbox>
        ) : null}
      </Combobox>
      {selected.length ? (
        <InlineStack gap="100">
          {selected.map((value) => (
            <Tag key={value} onRemove={() => toggle(value)}>
              {labels.get(value) ?? value}
            </Tag>
          ))}
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}
