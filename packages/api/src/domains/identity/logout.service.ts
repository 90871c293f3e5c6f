import { sessions } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import type { AuditMeta } from "#platform/audit/audit.ts";
import { recordAudit } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import { hashToken } from "#platform/auth/secrets.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { announceRevocation, parseRefreshToken, revokeSessions } from "./sessions.service.ts";

/**
 * Ends the session the refresh token belongs to. It needs no access token, so an expired one
 * cannot block a logout; ending an already ended session is not an error.
 */
export async function logout(deps: Deps, audit: AuditMeta, refreshToken: string): Promise<void> {
  const parsed = parseRefreshToken(refreshToken);
  const [session] = parsed
    ? await deps.db.select().from(sessions).where(eq(sessions.id, parsed.sessionId)).limit(1)
    : [];
  if (!session || session.refreshTokenHash !== hashToken(refreshToken)) {
    throw new DomainError("UNAUTHENTICATED", "Unknown or spent refresh token");
  }
  const revoked = await deps.db.transaction(async (tx) => {
    const ids = await revokeSessions(deps, tx, session.userId, "LOGOUT", { only: [session.id] });
    if (ids.length) {
      await recordAudit(
        tx,
        { ...audit, actor: null },
        {
          action: "auth.logout",
          outcome: "SUCCESS",
          targetType: "session",
          targetId: session.id,
          details: { userId: session.userId },
        },
      );
    }
    return ids;
  });
  announceRevocation(deps, session.userId, revoked, "LOGOUT");
}

/** Ends every session of the caller, this one included. */
export async function logoutAll(deps: Deps, audit: AuditMeta, actor: Actor): Promise<void> {
  const revoked = await deps.db.transaction(async (tx) => {
    const ids = await revokeSessions(deps, tx, actor.userId, "LOGOUT_ALL");
    await recordAudit(tx, audit, {
      action: "auth.logout_all",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: actor.userId,
      details: { sessions: ids.length },
    });
    return ids;
  });
  announceRevocation(deps, actor.userId, revoked, "LOGOUT_ALL");
}
