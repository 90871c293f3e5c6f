import { notificationEmails, users } from "@medical/db/schema";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Deps } from "#platform/deps.ts";
import { notificationMail } from "#platform/mail/messages.ts";

/** Sends after this many failures are given up (FAILED). */
const MAX_ATTEMPTS = 5;
/** How long a sender holds the mails it took: one that dies mid-send leaves them to a later pass. */
const LEASE_MS = 5 * 60_000;
const BATCH = 50;

/** 2, 4, 8, 16 minutes after the first, second… failure. */
const retryDelayMs = (attempts: number) => 2 ** attempts * 60_000;

type MailDeps = Pick<Deps, "db" | "mailer" | "clock" | "logger">;

/**
 * Takes up to BATCH due mails by moving their next attempt ahead (a lease: no other process sends
 * them meanwhile), outside any long transaction: the send happens after the lease commits.
 */
async function leaseDue(deps: MailDeps) {
  const now = deps.clock.now();
  const due = deps.db
    .select({ id: notificationEmails.id })
    .from(notificationEmails)
    .where(and(eq(notificationEmails.status, "PENDING"), lte(notificationEmails.nextAttemptAt, now)))
    .orderBy(asc(notificationEmails.nextAttemptAt))
    .limit(BATCH)
    .for("update", { skipLocked: true });
  return deps.db
    .update(notificationEmails)
    .set({
      attempts: sql`${notificationEmails.attempts} + 1`,
      nextAttemptAt: new Date(now.getTime() + LEASE_MS),
    })
    .where(inArray(notificationEmails.id, due))
    .returning();
}

/**
 * Sends the queued notification mails that are due, oldest first, to each account's current address,
 * and records the batch's outcome in one statement: at least once (a process that dies between the
 * sends and their record sends them again after the lease). A failed send is retried with a
 * growing delay, then given up; a deactivated account gets none. Nothing about a mail but its id
 * reaches the log.
 */
export async function sendDueNotificationMails(deps: MailDeps): Promise<number> {
  let sent = 0;
  for (;;) {
    const leased = await leaseDue(deps);
    if (!leased.length) return sent;
    const accounts = await deps.db
      .select({
        id: users.id,
        email: users.email,
        firstName: users.firstName,
        locale: users.locale,
        isActive: users.isActive,
      })
      .from(users)
      .where(
        inArray(
          users.id,
          leased.map((mail) => mail.userId),
        ),
      );
    const accountOf = new Map(accounts.map((account) => [account.id, account]));
    const delivered: string[] = [];
    const dropped: string[] = [];
    for (const mail of leased) {
      const account = accountOf.get(mail.userId);
      if (!account?.isActive) {
        dropped.push(mail.id);
        continue;
      }
      try {
        await deps.mailer.send(
          notificationMail({
            to: account.email,
            firstName: account.firstName,
            locale: account.locale,
            subject: mail.subject,
            body: mail.body,
          }),
        );
        delivered.push(mail.id);
      } catch (error) {
        const givenUp = mail.attempts >= MAX_ATTEMPTS;
        const retryAt = new Date(deps.clock.now().getTime() + retryDelayMs(mail.attempts));
        await deps.db
          .update(notificationEmails)
          .set(givenUp ? { status: "FAILED" } : { nextAttemptAt: retryAt })
          .where(eq(notificationEmails.id, mail.id));
        deps.logger.warn(
          {
            notificationEmailId: mail.id,
            attempts: mail.attempts,
            givenUp,
            errorClass: error instanceof Error ? error.name : typeof error,
          },
          "notification mail not sent",
        );
      }
    }
    if (delivered.length) {
      await deps.db
        .update(notificationEmails)
        .set({ status: "SENT", sentAt: deps.clock.now() })
        .where(inArray(notificationEmails.id, delivered));
    }
    if (dropped.length) {
      await deps.db
        .update(notificationEmails)
        .set({ status: "FAILED" })
        .where(inArray(notificationEmails.id, dropped));
    }
    sent += delivered.length;
    if (leased.length < BATCH) return sent;
  }
}
