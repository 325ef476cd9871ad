// The segment form's data: read from the submitted form, and the service's answer turned into the errors the form
// shows (keyed "name", "form", or by the rule field's path).
import type { SegmentInput, SegmentWriteResult } from "../../services/segments/segments.server";

export function segmentInputFromForm(form: FormData): SegmentInput | { error: string } {
  const name = form.get("name");
  const rules = form.get("rules");
  if (typeof rules !== "string") return { error: "The rules were not sent. Reload the page and try again." };
  try {
    return { name: typeof name === "string" ? name : "", rules: JSON.parse(rules) as unknown };
  } catch {
    return { error: "The rules could not be read. Reload the page and try again." };
  }
}

export function segmentFormErrors(result: SegmentWriteResult, input: SegmentInput): Record<string, string> | null {
  switch (result.type) {
    case "saved":
      return null;
    case "name_taken":
      return { name: `A segment named "${input.name.trim()}" already exists. Pick another name.` };
    case "not_found":
      return { form: "This segment no longer exists." };
    case "invalid":
      return result.errors;
  }
}
