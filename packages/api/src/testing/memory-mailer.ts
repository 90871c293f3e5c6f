import type { Mailer, MailMessage } from "#platform/mail/mailer.ts";

/** Records what would have been mailed; tests await messages instead of sleeping. */
export interface MemoryMailer extends Mailer {
  readonly sent: MailMessage[];
  /** Resolves with the first message (already sent or still to come) that matches. */
  next(match: (message: MailMessage) => boolean): Promise<MailMessage>;
}

export function createMemoryMailer(): MemoryMailer {
  const sent: MailMessage[] = [];
  const waiting: { match: (m: MailMessage) => boolean; resolve: (m: MailMessage) => void }[] = [];
  return {
    sent,
    async send(message) {
      sent.push(message);
      for (const waiter of waiting.filter((w) => w.match(message))) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    },
    next(match) {
      const found = sent.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiting.push({ match, resolve }));
    },
  };
}

/**
 * The token of a mail: the only run of exactly 43 base64url characters in its text. Not `\b`:
 * a token may begin or end with "-", which is no word character.
 */
export function tokenIn(message: MailMessage): string {
  const token = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/.exec(message.text)?.[0];
  if (!token) throw new Error(`no token in the ${message.kind} mail`);
  return token;
}
