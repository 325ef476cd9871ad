/**
 * The request side of the contract (/work/shared/contracts/magento/NOTES.md, copied into these specs): which
 * data interface each body key deserialises into, its snake_case fields and their types, and Magento's own
 * conversion rules (ServiceInputProcessor + TypeProcessor):
 *
 * - int/float accept numbers and numeric strings; anything else is "Invalid type for value".
 * - string accepts any scalar (numbers become strings); bool accepts any scalar (PHP's filter_var).
 * - A field the interface has no getter for is refused with "Property ... does not have accessor method ...".
 * - A missing top-level parameter without a default is refused with '"%fieldName" is required'.
 *
 * Where Magento is laxer than its documented contract (camelCase data fields are resolved too, a scalar given for
 * an object silently becomes an empty object, unknown top-level keys are ignored), the simulator refuses with a
 * "[simulator]" message instead, so client bugs surface here and not in a merchant's store.
 */
import { MagentoHttpError, requiredField, strict } from "./errors";

export type FieldType =
  | { readonly kind: "int" }
  | { readonly kind: "float" }
  | { readonly kind: "string" }
  | { readonly kind: "bool" }
  | { readonly kind: "mixed" }
  | { readonly kind: "array"; readonly of: FieldType }
  | { readonly kind: "object"; readonly spec: ObjectSpec };

export interface ObjectSpec {
  readonly className: string;
  readonly fields: Readonly<Record<string, FieldType>>;
}

const int: FieldType = { kind: "int" };
const float: FieldType = { kind: "float" };
const string: FieldType = { kind: "string" };
const bool: FieldType = { kind: "bool" };
const mixed: FieldType = { kind: "mixed" };
const arrayOf = (of: FieldType): FieldType => ({ kind: "array", of });
const object = (spec: ObjectSpec): FieldType => ({ kind: "object", spec });
const extensionAttributes = (owner: string): FieldType =>
  object({ className: `${owner.replace(/Interface$/, "")}ExtensionInterface`, fields: {} });

const RULE_LABEL: ObjectSpec = {
  className: "Magento\\SalesRule\\Api\\Data\\RuleLabelInterface",
  fields: { store_id: int, store_label: string, extension_attributes: mixed },
};

const CONDITION_FIELDS: Record<string, FieldType> = {};
export const CONDITION: ObjectSpec = { className: "Magento\\SalesRule\\Api\\Data\\ConditionInterface", fields: CONDITION_FIELDS };
Object.assign(CONDITION_FIELDS, {
  condition_type: string,
  conditions: arrayOf(object(CONDITION)),
  aggregator_type: string,
  operator: string,
  attribute_name: string,
  value: mixed,
  extension_attributes: extensionAttributes(CONDITION.className),
});

export const RULE: ObjectSpec = {
  className: "Magento\\SalesRule\\Api\\Data\\RuleInterface",
  fields: {
    rule_id: int,
    name: string,
    store_labels: arrayOf(object(RULE_LABEL)),
    description: string,
    website_ids: arrayOf(int),
    customer_group_ids: arrayOf(int),
    from_date: string,
    to_date: string,
    uses_per_customer: int,
    is_active: bool,
    condition: object(CONDITION),
    action_condition: object(CONDITION),
    stop_rules_processing: bool,
    is_advanced: bool,
    product_ids: arrayOf(int),
    sort_order: int,
    simple_action: string,
    discount_amount: float,
    discount_qty: float,
    discount_step: int,
    apply_to_shipping: bool,
    times_used: int,
    is_rss: bool,
    coupon_type: string,
    use_auto_generation: bool,
    uses_per_coupon: int,
    simple_free_shipping: string,
    extension_attributes: extensionAttributes("Magento\\SalesRule\\Api\\Data\\RuleInterface"),
  },
};

export const COUPON: ObjectSpec = {
  className: "Magento\\SalesRule\\Api\\Data\\CouponInterface",
  fields: {
    coupon_id: int,
    rule_id: int,
    code: string,
    usage_limit: int,
    usage_per_customer: int,
    times_used: int,
    expiration_date: string,
    is_primary: bool,
    created_at: string,
    type: int,
    extension_attributes: extensionAttributes("Magento\\SalesRule\\Api\\Data\\CouponInterface"),
  },
};

export const COUPON_SPEC: ObjectSpec = {
  className: "Magento\\SalesRule\\Api\\Data\\CouponGenerationSpecInterface",
  fields: {
    rule_id: int,
    format: string,
    quantity: int,
    length: int,
    prefix: string,
    suffix: string,
    delimiter_at_every: int,
    delimiter: string,
    extension_attributes: extensionAttributes("Magento\\SalesRule\\Api\\Data\\CouponGenerationSpecInterface"),
  },
};

const FILTER: ObjectSpec = {
  className: "Magento\\Framework\\Api\\Filter",
  fields: { field: string, value: string, condition_type: string },
};
const FILTER_GROUP: ObjectSpec = {
  className: "Magento\\Framework\\Api\\Search\\FilterGroup",
  fields: { filters: arrayOf(object(FILTER)) },
};
const SORT_ORDER: ObjectSpec = {
  className: "Magento\\Framework\\Api\\SortOrder",
  fields: { field: string, direction: string },
};
export const SEARCH_CRITERIA: ObjectSpec = {
  className: "Magento\\Framework\\Api\\SearchCriteriaInterface",
  fields: {
    filter_groups: arrayOf(object(FILTER_GROUP)),
    sort_orders: arrayOf(object(SORT_ORDER)),
    page_size: int,
    current_page: int,
  },
};

/** One parameter of a service method, as ServiceInputProcessor::process sees it. */
export interface MethodParam {
  /** camelCase, as written in the PHP interface; the snake_case form is accepted too. */
  readonly name: string;
  readonly type: FieldType;
  /** Present when the parameter has a default (then it is optional). */
  readonly defaultValue?: unknown;
}

export function snakeCase(name: string): string {
  return name.replace(/(?<=\w)(?=[A-Z])/g, "_").toLowerCase();
}

function upperCamel(snake: string): string {
  return snake
    .split("_")
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : ""))
    .join("");
}

/**
 * Deserialises a request's parameters (JSON body or parsed query) for one service method; returns them by
 * camelCase name, converted to their types. Throws MagentoHttpError as Magento would answer.
 */
export function processInput(params: readonly MethodParam[], input: Record<string, unknown>): Record<string, unknown> {
  const known = new Set(params.flatMap((p) => [p.name, snakeCase(p.name)]));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) {
      throw strict(
        `unexpected top-level key "${key}"; this endpoint takes ${params.map((p) => `"${p.name}"`).join(", ")} ` +
          "(Magento ignores unknown keys silently)",
      );
    }
  }
  const result: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const param of params) {
    const value = input[param.name] ?? input[snakeCase(param.name)];
    if (value === undefined || value === null) {
      if ("defaultValue" in param) result[param.name] = param.defaultValue;
      else missing.push(param.name);
      continue;
    }
    result[param.name] = convertValue(value, param.type, null);
  }
  if (missing.length === 1) throw requiredField(missing[0]!);
  if (missing.length > 1) {
    throw new MagentoHttpError(400, {
      message: "One or more input exceptions have occurred.",
      errors: missing.map((fieldName) => ({ message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName } })),
    });
  }
  return result;
}

function typeName(type: FieldType): string {
  switch (type.kind) {
    case "array":
      return `${typeName(type.of)}[]`;
    case "object":
      return `\\${type.spec.className}`;
    default:
      return type.kind;
  }
}

function isNumeric(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  return typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value);
}

function phpGettype(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "NULL";
  if (typeof value === "object") return "array";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "double";
  return typeof value;
}

function invalidType(field: string | null, value: unknown, type: FieldType): MagentoHttpError {
  const shown = typeof value === "object" && value !== null ? phpGettype(value) : String(value);
  const detail = `Invalid type for value: "${shown}". Expected Type: "${typeName(type)}".`;
  return new MagentoHttpError(400, {
    message: field === null ? detail : `Error occurred during "${field}" processing. ${detail}`,
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** PHP decodes JSON objects with keys 0..n-1 into lists; the query-string parser produces such objects too. */
function asList(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.every((k, i) => k === String(i))) return keys.map((k) => value[k]);
  }
  return null;
}

export function convertValue(value: unknown, type: FieldType, field: string | null): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case "mixed":
      return value;
    case "int":
    case "float": {
      if (typeof value === "object" || !isNumeric(value)) throw invalidType(field, value, type);
      const n = Number(value);
      return type.kind === "int" ? Math.trunc(n) : n;
    }
    case "string":
      if (typeof value === "object") throw invalidType(field, value, type);
      if (typeof value === "boolean") return value ? "1" : "";
      return String(value);
    case "bool":
      if (typeof value === "object") throw invalidType(field, value, type);
      return value === true || (typeof value === "number" && value !== 0) || (typeof value === "string" && /^(1|true|on|yes)$/i.test(value.trim()));
    case "array": {
      const list = asList(value);
      if (!list) throw invalidType(field, value, type);
      return list.map((item) => convertValue(item, type.of, field));
    }
    case "object":
      if (!isPlainObject(value)) {
        throw strict(`"${field ?? "(value)"}" must be a JSON object of type ${type.spec.className}, not ${phpGettype(value)}`);
      }
      return convertObject(value, type.spec);
  }
}

function convertObject(data: Record<string, unknown>, spec: ObjectSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const fieldType = spec.fields[key];
    if (!fieldType) {
      const snake = snakeCase(key);
      if (snake !== key && spec.fields[snake]) {
        throw strict(`field "${key}" of ${spec.className} must be written in snake_case: "${snake}"`);
      }
      const camel = upperCamel(key);
      throw new MagentoHttpError(400, {
        message: 'Property "%1" does not have accessor method "%2" in class "%3".',
        parameters: [camel, `get${camel}`, spec.className],
      });
    }
    out[key] = convertValue(value, fieldType, key);
  }
  return out;
}
