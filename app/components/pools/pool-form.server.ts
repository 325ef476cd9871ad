// The create/edit pool form's data: read from the submitted form, and the service's answer turned into what the
// form shows (field errors in the merchant's words).
import type { PoolInput, PoolWriteResult } from "../../services/pools/pools.server";
import { dynamicFieldOf, dynamicSettingsFromForm } from "./dynamic-form";
import type { DynamicFieldErrors } from "./DynamicSettingsFields";

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

export function poolInputFromForm(form: FormData): PoolInput {
  const emptyBehavior = text(form, "emptyBehavior") || "SKIP_MESSAGE";
  const threshold = text(form, "lowStockThreshold").trim();
  const kind = text(form, "kind") === "DYNAMIC" ? "DYNAMIC" : "STATIC";
  return {
    name: text(form, "name"),
    description: text(form, "description").trim() || null,
    kind,
    dynamic: kind === "DYNAMIC" ? dynamicSettingsFromForm(form) : null,
    // Text that is not a number becomes NaN, which the pool's rules refuse with the field's message.
    lowStockThreshold: threshold === "" ? null : Number(threshold),
    emptyBehavior: emptyBehavior as PoolInput["emptyBehavior"],
    // The fallback code only means something when the pool sends one.
    fallbackCode: emptyBehavior === "SEND_FALLBACK" ? text(form, "fallbackCode").trim() || null : null,
  };
}

export type PoolFormErrors = Partial<
  Record<"name" | "description" | "kind" | "lowStockThreshold" | "emptyBehavior" | "fallbackCode" | "form", string>
> & { dynamic?: DynamicFieldErrors };

/** Field errors for the form, or null when the pool was saved. */
export function poolFormErrors(result: PoolWriteResult, input: PoolInput): PoolFormErrors | null {
  switch (result.type) {
    case "saved":
      return null;
    case "name_taken":
      return { name: `A pool named "${input.name.trim()}" already exists. Pick another name.` };
    case "not_found":
      return { form: "This pool no longer exists." };
    case "invalid": {
      const errors: PoolFormErrors = {};
      for (const [field, message] of Object.entries(result.errors)) {
        if (field.startsWith("dynamic.")) {
          const target = dynamicFieldOf(field.slice("dynamic.".length));
          if (target) (errors.dynamic ??= {})[target] ??= message;
          else errors.form ??= message;
          continue;
        }
        switch (field) {
          case "lowStockThreshold":
            errors.lowStockThreshold = "Enter a whole number of 0 or more, or leave it empty.";
            break;
          case "description":
            errors.description = "Keep the description under 1,000 characters.";
            break;
          case "fallbackCode":
            errors.fallbackCode = message.startsWith("A fallback")
              ? message
              : "Keep the fallback code under 255 characters.";
            break;
          case "emptyBehavior":
            errors.emptyBehavior = "Choose what happens when the pool is empty.";
            break;
          case "kind":
            errors.kind = "Choose static or dynamic.";
            break;
          case "name":
            errors.name = message;
            break;
          default:
            errors.form = message;
        }
      }
      return errors;
    }
  }
}
