/**
 * Magento's REST error answers. Magento renders an exception as `{ message, parameters }`: the message keeps
 * its placeholders (`%fieldName`, `%1`) and `parameters` holds their values (an object for named placeholders,
 * an array for numbered ones). Clients substitute them; the simulator answers exactly that shape.
 *
 * Messages prefixed with "[simulator]" are checks stricter than Magento (Magento would accept the request and
 * misbehave later, or fail with an unhelpful 500): they exist to catch client bugs, and say so.
 */
export interface MagentoErrorBody {
  readonly message: string;
  readonly parameters?: Readonly<Record<string, unknown>> | readonly unknown[];
  /** Several input errors at once (InputException with more than one error). */
  readonly errors?: readonly { readonly message: string; readonly parameters?: Readonly<Record<string, unknown>> }[];
}

export class MagentoHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: MagentoErrorBody,
  ) {
    super(renderMessage(body));
  }
}

/** Substitutes `%name` and `%1` placeholders the way Magento's Phrase renderer does. */
export function renderMessage(body: MagentoErrorBody): string {
  const params = body.parameters;
  if (!params) return body.message;
  if (Array.isArray(params)) {
    return body.message.replace(/%(\d+)/g, (whole, n: string) => {
      const value: unknown = params[Number(n) - 1];
      return value === undefined ? whole : String(value);
    });
  }
  const named = params as Record<string, unknown>;
  return body.message.replace(/%([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) =>
    name in named ? String(named[name]) : whole,
  );
}

export const noRoute = () => new MagentoHttpError(404, { message: "Request does not match any route." });

export const unauthorized = (resource: string) =>
  new MagentoHttpError(401, {
    message: "The consumer isn't authorized to access %resources.",
    parameters: { resources: resource },
  });

export const requiredField = (fieldName: string) =>
  new MagentoHttpError(400, { message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName } });

export const noSuchEntity = (fieldName: string, fieldValue: unknown) =>
  new MagentoHttpError(404, {
    message: "No such entity with %fieldName = %fieldValue",
    parameters: { fieldName, fieldValue },
  });

export const localized = (message: string, parameters?: MagentoErrorBody["parameters"]) =>
  new MagentoHttpError(400, parameters ? { message, parameters } : { message });

export const strict = (message: string) => new MagentoHttpError(400, { message: `[simulator] ${message}` });
