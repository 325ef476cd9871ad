// Email over SMTP with nodemailer. The app's own notices (low stock) go through the system mailer configured by
// SMTP_URL; merchants' campaign emails will use per-shop SMTP settings through the same Mailer interface.
import nodemailer from "nodemailer";
import { env } from "../../env.server";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  from?: string;
  /** Lets a retried send be recognised downstream (Message-ID is derived from it). */
  idempotencyKey?: string;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
  close(): void;
}

export function smtpMailer(url: string, defaultFrom: string): Mailer {
  const transport = nodemailer.createTransport(url, { from: defaultFrom });
  return {
    async send(email) {
      const info = await transport.sendMail({
        from: email.from ?? defaultFrom,
        to: email.to,
        subject: email.subject,
        text: email.text,
        ...(email.html ? { html: email.html } : {}),
        ...(email.idempotencyKey ? { messageId: `<${email.idempotencyKey}@promo-codes.app>` } : {}),
      });
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}

let system: Mailer | null | undefined;

/** The app's own mailer, or null when SMTP_URL is not configured. */
export function systemMailer(): Mailer | null {
  if (system === undefined) {
    const config = env();
    system = config.SMTP_URL ? smtpMailer(config.SMTP_URL, config.MAIL_FROM) : null;
  }
  return system;
}

export function resetSystemMailer(): void {
  system?.close();
  system = undefined;
}
