import { sessions } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import { hashToken } from "#platform/auth/secrets.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { parseRefreshToken, revokeSessions } from "./sessions.service.ts";

/**
 * Ends the session the refresh token belongs to. It needs no access token, so an expired one
 * cannot block a logout; ending an already ended session is not an error.
 */
export async function logout(deps: Deps, audit: AuditMeta, refreshToken: string): Promise<void> {
  const parsed = parseRefreshToken(refreshToken);
  // The refresh token is the credential: whoever holds it may end its session.
  const [session] = parsed
    ? await deps.db.select().from(sessions).where(eq(sessions.id, parsed.sessionId)).limit(1)
    : [];
  if (!session || session.refreshTokenHash !== hashToken(refreshToken)) {
    throw new DomainError("UNAUTHENTICATED", "Unknown or spent refresh token");
  }
  await auditedTransaction(deps, audit, async (tx, record) => {
    const ended = await revokeSessions(deps, tx, record, session.userId, "LOGOUT", { only: [session.id] });
    if (ended.length) {
      record.audit({
        action: "auth.logout",
        outcome: "SUCCESS",
        targetType: "session",
        targetId: session.id,
        details: { userId: session.userId },
        actor: null,
      });
    }
  });
}

/** Ends every session of the caller, this one included. */
export async function logoutAll(deps: Deps, audit: AuditMeta, actor: Actor): Promise<void> {
  await auditedTransaction(deps, audit, async (tx, record) => {
    const ended = await revokeSessions(deps, tx, record, actor.userId, "LOGOUT_ALL");
    record.audit({
      action: "auth.logout_all",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: actor.userId,
      details: { sessions: ended.length },
    });
  });
}
