// Saving the scenario form: the posted values read back, numbers checked, then the service's validation and write.
// All errors come back together, keyed like the settings ("limits.maxOrderPrice", "actions.1.templateId").
import type { Scenario } from "@prisma/client";
import type { ShopDb } from "../../db/shop-scope.server";
import { createScenario, getScenario, updateScenario, validateScenario } from "../../services/scenarios/scenarios.server";
import { readFormValues, settingsInputOf, type FormErrors } from "./scenario-form";

export type FormSaveResult = { type: "saved"; scenario: Scenario } | { type: "invalid"; errors: FormErrors } | { type: "not_found" };

export async function saveScenarioForm(db: ShopDb, shopId: string, form: FormData, scenarioId: string | null): Promise<FormSaveResult> {
  const posted = readFormValues(form.get("settings"));
  if (!posted) return { type: "invalid", errors: { form: "The form could not be read. Reload the page and try again." } };
  let values = posted;
  if (scenarioId) {
    // An existing scenario is switched on and off by its own button: saving its settings keeps it as it is now.
    const existing = await getScenario(db, scenarioId);
    if (!existing) return { type: "not_found" };
    values = { ...posted, active: existing.row.active };
  }
  const { input, errors } = settingsInputOf(values);
  if (Object.keys(errors).length) {
    const checked = await validateScenario(db, input);
    return { type: "invalid", errors: { ...(checked.ok ? {} : checked.errors), ...errors } };
  }
  return scenarioId ? updateScenario(db, scenarioId, input) : createScenario(db, shopId, input);
}
