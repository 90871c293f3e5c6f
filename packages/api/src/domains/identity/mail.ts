import type { Deps } from "#platform/deps.ts";
import type { MailMessage } from "#platform/mail/mailer.ts";

/**
 * Runs `work` after the current request has answered (a later turn of the event loop), so the
 * answer's timing does not depend on it: neither on the mail server nor, for `forgot`, on whether
 * the email has an account. Failures are logged by kind only: the work may carry a token.
 */
export function afterAnswer(deps: Pick<Deps, "logger">, kind: string, work: () => Promise<void>): void {
  setImmediate(() => {
    work().catch((error: unknown) => {
      deps.logger.error(
        { workKind: kind, errorClass: error instanceof Error ? error.name : typeof error },
        "after-answer work failed",
      );
    });
  });
}

/** Mails after the current request has answered. */
export function sendAfterAnswer(deps: Pick<Deps, "mailer" | "logger">, message: MailMessage): void {
  afterAnswer(deps, `mail ${message.kind}`, () => deps.mailer.send(message));
}
