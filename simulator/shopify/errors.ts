/**
 * Error shapes as Shopify's GraphQL endpoint returns them. graphql-js wording
 * is kept (it is precise, and suggests fixes), but static validation errors
 * get the Shopify-style message and `extensions.code` apps may branch on.
 */
import type { GraphQLError } from "graphql";

export interface FormattedError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export function formatError(error: GraphQLError): FormattedError {
  const json = error.toJSON();
  const out: FormattedError = { message: json.message };
  if (json.locations) out.locations = json.locations.map((l) => ({ line: l.line, column: l.column }));
  if (json.path) out.path = [...json.path];
  if (json.extensions && Object.keys(json.extensions).length > 0) out.extensions = { ...json.extensions };
  return out;
}

function suggestion(message: string): string {
  const match = / Did you mean (.+)\?$/.exec(message);
  return match ? ` Did you mean ${match[1]}?` : "";
}

/** Maps a graphql-js parse/validation error to Shopify's wording and code. */
export function formatRejection(error: GraphQLError): FormattedError {
  const base = formatError(error);
  const m = error.message;
  let match: RegExpExecArray | null;
  if (error.message.startsWith("Syntax Error")) {
    return { ...base, extensions: { code: "parseError" } };
  }
  if ((match = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(m))) {
    return {
      ...base,
      message: `Field '${match[1]}' doesn't exist on type '${match[2]}'.${suggestion(m)}`,
      extensions: { code: "undefinedField", typeName: match[2], fieldName: match[1] },
    };
  }
  if ((match = /^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"\./.exec(m))) {
    return {
      ...base,
      message: `Field '${match[3]}' doesn't accept argument '${match[1]}'.${suggestion(m)}`,
      extensions: { code: "argumentNotAccepted", name: match[3], typeName: "Field", argumentName: match[1] },
    };
  }
  if (
    (match =
      /^Field "([^".]+)\.([^"]+)" argument "([^"]+)" of type "([^"]+)" is required, but it was not provided\./.exec(m))
  ) {
    return {
      ...base,
      message: `Field '${match[2]}' is missing required arguments: ${match[3]}`,
      extensions: { code: "missingRequiredArguments", className: "Field", name: match[2], arguments: match[3] },
    };
  }
  if ((match = /^Unknown type "([^"]+)"\./.exec(m))) {
    return {
      ...base,
      message: `No such type ${match[1]}, so it can't be a fragment condition.${suggestion(m)}`,
      extensions: { code: "undefinedType", typeName: match[1] },
    };
  }
  if (/^Variable "\$[^"]+" is never used/.test(m)) return { ...base, extensions: { code: "variableNotUsed" } };
  if (/^Variable "\$[^"]+" is not defined/.test(m)) return { ...base, extensions: { code: "undefinedVariable" } };
  if (/^Variable "\$[^"]+" of type/.test(m)) return { ...base, extensions: { code: "variableMismatch" } };
  if (/must have a selection of subfields/.test(m)) return { ...base, extensions: { code: "selectionMismatch" } };
  if (/must not have a selection since type/.test(m)) return { ...base, extensions: { code: "selectionMismatch" } };
  if (/^Fragment "[^"]+" is never used/.test(m)) return { ...base, extensions: { code: "useAndDefineFragment" } };
  return { ...base, extensions: { code: "validationFailed" } };
}

export function errorCodes(errors: readonly FormattedError[] | undefined): string[] {
  return (errors ?? []).flatMap((e) => (typeof e.extensions?.["code"] === "string" ? [e.extensions["code"]] : []));
}

export const INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)";

export const BAD_GATEWAY_HTML =
  "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
