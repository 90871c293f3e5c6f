import { createTransport } from "nodemailer";
import type { Mailer } from "./mailer.ts";

/**
 * Sends through the SMTP server named by `smtpUrl` (`smtp://user:pass@host:587`, `smtps://…`; query
 * options such as `?pool=true` are nodemailer's). Call `close()` at shutdown: a pooled transport keeps
 * its connections open until then.
 */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer & { close(): void } {
  const transport = createTransport(smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
      });
    },
    close() {
      transport.close();
    },
  };
}
