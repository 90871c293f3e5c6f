import { users } from "@medical/db/schema";
import { and, eq, sql } from "drizzle-orm";
import type { AuditMeta } from "#platform/audit/audit.ts";
import { recordAudit } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { passwordResetMail } from "#platform/mail/messages.ts";
import { sendAfterAnswer } from "./mail.ts";
import { normalizeEmail } from "./normalize.ts";
import { limitAuthRoute } from "./rate-rules.ts";
import { announceRevocation, revokeSessions } from "./sessions.service.ts";
import {
  consumeUserToken,
  createUserToken,
  TOKEN_LIFETIME_MS,
  voidUserTokens,
} from "./user-tokens.service.ts";

/**
 * Answers the same way whether or not the email has an account; the mail, when there is one,
 * leaves after the answer.
 */
export async function forgotPassword(deps: Deps, audit: AuditMeta, input: { email: string }): Promise<void> {
  await limitAuthRoute(deps, audit);
  const email = normalizeEmail(input.email);
  const [user] = await deps.db
    .select()
    .from(users)
    .where(and(eq(sql`lower(${users.email})`, email), eq(users.isActive, true)))
    .limit(1);
  if (!user) return;
  const token = await deps.db.transaction(async (tx) => {
    // Only the newest reset link works.
    await voidUserTokens(deps.clock, tx, user.id, ["PASSWORD_RESET"]);
    const created = await createUserToken(deps.clock, tx, user.id, "PASSWORD_RESET");
    await recordAudit(tx, audit, {
      action: "auth.password_reset_requested",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
    });
    return created;
  });
  sendAfterAnswer(
    deps,
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
  const passwordHash = await deps.hasher.hash(input.newPassword);
  const now = deps.clock.now();
  const { userId, revoked } = await deps.db.transaction(async (tx) => {
    const token = await consumeUserToken(deps.clock, tx, input.token, ["PASSWORD_RESET", "INVITATION"]);
    const [user] = await tx
      .update(users)
      .set({
        passwordHash,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(and(eq(users.id, token.userId), eq(users.isActive, true)))
      .returning({ id: users.id });
    if (!user) throw new DomainError("INVALID_TOKEN");
    await voidUserTokens(deps.clock, tx, user.id);
    const ids = await revokeSessions(deps, tx, user.id, "PASSWORD_RESET");
    await recordAudit(tx, audit, {
      action: token.purpose === "INVITATION" ? "auth.invitation_accepted" : "auth.password_reset",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
    });
    return { userId: user.id, revoked: ids };
  });
  announceRevocation(deps, userId, revoked, "PASSWORD_RESET");
}

/** Changes the caller's password; their other sessions end, this one stays. */
export async function changePassword(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, actor.userId)).limit(1);
  if (!user?.passwordHash || !(await deps.hasher.verify(user.passwordHash, input.currentPassword))) {
    await recordAudit(deps.db, audit, {
      action: "user.password_changed",
      outcome: "FAILURE",
      targetType: "user",
      targetId: actor.userId,
    });
    throw new DomainError("INVALID_CREDENTIALS", "The current password is wrong");
  }
  const passwordHash = await deps.hasher.hash(input.newPassword);
  const revoked = await deps.db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, updatedAt: deps.clock.now() })
      .where(eq(users.id, actor.userId));
    await voidUserTokens(deps.clock, tx, actor.userId);
    const ids = await revokeSessions(deps, tx, actor.userId, "PASSWORD_CHANGED", { except: actor.sessionId });
    await recordAudit(tx, audit, {
      action: "user.password_changed",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: actor.userId,
    });
    return ids;
  });
  announceRevocation(deps, actor.userId, revoked, "PASSWORD_CHANGED");
}

/** Marks the email verified; other verification links of the user stop working. */
export async function verifyEmail(deps: Deps, audit: AuditMeta, input: { token: string }): Promise<void> {
  await limitAuthRoute(deps, audit);
  await deps.db.transaction(async (tx) => {
    const token = await consumeUserToken(deps.clock, tx, input.token, ["EMAIL_VERIFICATION"]);
    const now = deps.clock.now();
    await tx
      .update(users)
      .set({
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`,
        updatedAt: now,
      })
      .where(eq(users.id, token.userId));
    await voidUserTokens(deps.clock, tx, token.userId, ["EMAIL_VERIFICATION"]);
    await recordAudit(tx, audit, {
      action: "user.email_verified",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: token.userId,
    });
  });
}
