// The template pages' form handling: read the submitted values, save them or render a preview, and turn the
// service's answers into what the form shows.
import type { ShopDb } from "../../db/shop-scope.server";
import { previewTemplate, saveTemplate, type TemplateInput, type TemplateWriteResult } from "../../services/templates.server";
import type { PreviewResponse, TemplateChannel, TemplateFormErrors } from "./template-form";
import { isUuid } from "../../domain/ids";

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

export function templateInputFromForm(form: FormData): TemplateInput {
  const channel = text(form, "channel");
  return {
    name: text(form, "name"),
    channel,
    subject: channel === "SMS" ? null : text(form, "subject"),
    // Browsers submit textarea line breaks as CRLF.
    body: text(form, "body").replace(/\r\n/g, "\n"),
  };
}

export function templateFormErrors(result: Exclude<TemplateWriteResult, { type: "saved" }>, input: TemplateInput): TemplateFormErrors {
  switch (result.type) {
    case "invalid":
      return result.errors;
    case "name_taken":
      return { name: `A template named "${input.name.trim()}" already exists. Pick another name.` };
    case "not_found":
      return { form: "This template no longer exists." };
  }
}

export async function saveTemplateFromForm(db: ShopDb, shopId: string, form: FormData, templateId?: string) {
  const input = templateInputFromForm(form);
  const result = await saveTemplate(db, shopId, input, templateId);
  return { result, input };
}

export async function previewFromForm(db: ShopDb, form: FormData): Promise<PreviewResponse> {
  const input = templateInputFromForm(form);
  const customerId = text(form, "previewCustomerId");
  const result = await previewTemplate(db, input, { customerId: isUuid(customerId) ? customerId : null });
  if (result.type === "invalid") return { intent: "preview", type: "invalid", errors: result.errors };
  return {
    intent: "preview",
    type: "preview",
    channel: input.channel as TemplateChannel,
    subject: result.subject,
    body: result.body,
    text: result.text,
    customer: { label: result.customer.label, sample: result.customer.sample },
  };
}
