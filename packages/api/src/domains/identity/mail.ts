import type { Deps } from "#platform/deps.ts";
import type { MailMessage } from "#platform/mail/mailer.ts";

/**
 * Sends after the current request has answered (a later turn of the event loop), so the answer's
 * timing does not depend on the mail server and `forgot` answers alike for unknown emails.
 * Failures are logged by kind only: the message carries a token.
 */
export function sendAfterAnswer(deps: Pick<Deps, "mailer" | "logger">, message: MailMessage): void {
  setImmediate(() => {
    deps.mailer.send(message).catch((error: unknown) => {
      deps.logger.error(
        { mailKind: message.kind, errorClass: error instanceof Error ? error.name : typeof error },
        "mail not sent",
      );
    });
  });
}
