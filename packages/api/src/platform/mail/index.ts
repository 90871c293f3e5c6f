export { createFileMailer } from "./file-mailer.ts";
export type { Mailer, MailKind, MailMessage } from "./mailer.ts";
export {
  invitationMail,
  type MailRecipient,
  type MailRole,
  mailLanguage,
  notificationMail,
  passwordResetMail,
  verificationMail,
} from "./messages.ts";
export { createSmtpMailer } from "./smtp-mailer.ts";
