/** What a message is for; transports and tests use it to tell messages apart without reading them. */
export type MailKind = "EMAIL_VERIFICATION" | "PASSWORD_RESET" | "INVITATION" | "NOTIFICATION";

/** One outgoing message. `text` is always present; `html` is an optional alternative. */
export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends mail. Implementations: the file outbox (development, `MAIL_TRANSPORT=file`) and SMTP
 * (`MAIL_TRANSPORT=smtp`). Messages may carry single-use tokens: never log them.
 */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}
