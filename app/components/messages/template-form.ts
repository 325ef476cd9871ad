// What the template pages exchange with their actions: the form's values, its errors, and the preview. Plain data
// (no server imports), shared by the editor component and the routes.

export type TemplateChannel = "EMAIL" | "SMS" | "PUSH";

export interface TemplateFormValues {
  name: string;
  channel: TemplateChannel;
  subject: string;
  body: string;
}

export const EMPTY_TEMPLATE: TemplateFormValues = {
  name: "",
  channel: "EMAIL",
  subject: "Your code from {{shopName}}",
  body: "<p>Hi {{firstName}},</p>\n<p>Here is your code: <b>{{promoCode}}</b></p>",
};

/** What a save sends: an SMS has no subject, so one left over from another channel is no change. */
export function submittedTemplate(values: TemplateFormValues): TemplateFormValues {
  return values.channel === "SMS" ? { ...values, subject: "" } : values;
}

export const CHANNEL_LABELS: Record<TemplateChannel, string> = { EMAIL: "Email", SMS: "SMS", PUSH: "Push" };

export type TemplateFormErrors = Partial<Record<"name" | "channel" | "subject" | "body" | "form", string>>;

export type SaveResponse = { intent: "save"; saved: true } | { intent: "save"; saved: false; errors: TemplateFormErrors };

export type PreviewResponse =
  | {
      intent: "preview";
      type: "preview";
      channel: TemplateChannel;
      subject: string | null;
      body: string;
      text: string | null;
      customer: { label: string; sample: boolean };
    }
  | { intent: "preview"; type: "invalid"; errors: TemplateFormErrors };

export interface PreviewCustomerChoice {
  id: string;
  label: string;
}
