import { users } from "@medical/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { type AuditMeta, auditAttempt, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { passwordResetMail } from "#platform/mail/messages.ts";
import { findVisibleUser, unsafeFindUserByEmail } from "./access.ts";
import { afterAnswer } from "./mail.ts";
import { hashNewPassword } from "./new-password.ts";
import { limitAuthRoute, limitPasswordCheck } from "./rate-rules.ts";
import { revokeSessions } from "./sessions.service.ts";
import {
  consumeUserToken,
  createUserToken,
  TOKEN_LIFETIME_MS,
  voidUserTokens,
} from "./user-tokens.service.ts";

/**
 * Answers the same way whether or not the email has an account: everything about the account
 * (its lookup, the token, the mail) happens after the answer, so neither the answer nor its
 * timing tells them apart.
 */
export async function forgotPassword(deps: Deps, audit: AuditMeta, input: { email: string }): Promise<void> {
  await limitAuthRoute(deps, audit);
  afterAnswer(deps, "password reset", () => mailResetLink(deps, audit, input.email));
}

async function mailResetLink(deps: Deps, audit: AuditMeta, email: string): Promise<void> {
  const user = await unsafeFindUserByEmail(deps.db, email);
  if (!user?.isActive) return;
  const token = await auditedTransaction(deps, audit, async (tx, record) => {
    // Only the newest reset link works.
    await voidUserTokens(deps.clock, tx, user.id, ["PASSWORD_RESET"]);
    const created = await createUserToken(deps.clock, tx, user.id, "PASSWORD_RESET");
    record.audit({
      action: "auth.password_reset_requested",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
    });
    return created;
  });
  await deps.mailer.send(
    passwordResetMail({
      to: user.email,
      firstName: user.firstName,
      token,
      locale: user.locale,
      appUrl: deps.settings.appUrl,
      expiresInMinutes: TOKEN_LIFETIME_MS.PASSWORD_RESET / 60_000,
    }),
  );
}

/** `emailVerifiedAt` unless already set: using a mailed token proves the address. */
const verifiedAt = (now: Date) => sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`;

/**
 * Sets a password from a reset or invitation token: the email is then verified, every other
 * outstanding token is void and every session ends.
 */
export async function resetPassword(
  deps: Deps,
  audit: AuditMeta,
  input: { token: string; newPassword: string },
): Promise<void> {
  await limitAuthRoute(deps, audit);
  // The token names the account only inside the transaction: the check here knows no names.
  const passwordHash = await hashNewPassword(deps, input.newPassword, []);
  const now = deps.clock.now();
  await auditedTransaction(deps, audit, async (tx, record) => {
    // The mailed token is the credential: it names the account.
    const token = await consumeUserToken(deps.clock, tx, input.token, ["PASSWORD_RESET", "INVITATION"]);
    const [user] = await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: verifiedAt(now), updatedAt: now })
      .where(and(eq(users.id, token.userId), eq(users.isActive, true)))
      .returning({ id: users.id });
    if (!user) throw new DomainError("INVALID_TOKEN");
    await voidUserTokens(deps.clock, tx, user.id);
    await revokeSessions(deps, tx, record, user.id, "PASSWORD_RESET");
    // An invitation sets the first password: nothing to warn the owner about.
    if (token.purpose === "PASSWORD_RESET") record.emit("user.password_changed", { v: 1, userId: user.id });
    record.audit({
      action: token.purpose === "INVITATION" ? "auth.invitation_accepted" : "auth.password_reset",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
    });
  });
}

/** Changes the caller's password; their other sessions end, this one stays. */
export async function changePassword(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  // Limits first: a blocked attempt costs no hashing.
  const limits = await limitPasswordCheck(deps, audit, actor.userId);
  const user = await findVisibleUser(deps.db, actor, actor.userId);
  if (!user?.passwordHash || !(await deps.hasher.verify(user.passwordHash, input.currentPassword))) {
    await auditAttempt(deps, audit, {
      action: "user.password_changed",
      outcome: "FAILURE",
      targetType: "user",
      targetId: actor.userId,
    });
    await limits.failed();
    throw new DomainError("INVALID_CREDENTIALS", "The current password is wrong");
  }
  const passwordHash = await hashNewPassword(deps, input.newPassword, [
    user.email,
    user.firstName,
    user.lastName,
  ]);
  await auditedTransaction(deps, audit, async (tx, record) => {
    await tx.update(users).set({ passwordHash, updatedAt: deps.clock.now() }).where(eq(users.id, user.id));
    await voidUserTokens(deps.clock, tx, user.id);
    await revokeSessions(deps, tx, record, user.id, "PASSWORD_CHANGED", { except: actor.sessionId });
    record.emit("user.password_changed", { v: 1, userId: user.id });
    record.audit({
      action: "user.password_changed",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
    });
  });
}

/** Marks the email verified; other verification links of the user stop working. */
export async function verifyEmail(deps: Deps, audit: AuditMeta, input: { token: string }): Promise<void> {
  await limitAuthRoute(deps, audit);
  await auditedTransaction(deps, audit, async (tx, record) => {
    const token = await consumeUserToken(deps.clock, tx, input.token, ["EMAIL_VERIFICATION"]);
    const now = deps.clock.now();
    await tx
      .update(users)
      .set({ emailVerifiedAt: verifiedAt(now), updatedAt: now })
      .where(eq(users.id, token.userId));
    await voidUserTokens(deps.clock, tx, token.userId, ["EMAIL_VERIFICATION"]);
    record.audit({
      action: "user.email_verified",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: token.userId,
    });
  });
}
