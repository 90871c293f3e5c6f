import { sessions, users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { hashToken } from "#platform/auth/secrets.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { issueTokens, parseRefreshToken, revokeSessions, type SessionDto } from "./sessions.service.ts";

const ended = () => new DomainError("UNAUTHENTICATED", "The session has ended; sign in again");

/**
 * Rotates the refresh token: the old one is spent. Presenting a spent token of a live family means
 * it was copied: the whole family is revoked (the newest token then fails too) and audited, and
 * that revocation commits although the caller is refused.
 */
export async function refresh(deps: Deps, audit: AuditMeta, refreshToken: string): Promise<SessionDto> {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw ended();
  const now = deps.clock.now();
  const session = await auditedTransaction(deps, audit, async (tx, record) => {
    // The refresh token is the credential: its session id finds the family, its hash proves it.
    const [row] = await tx
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, parsed.sessionId))
      .for("update", { of: sessions })
      .limit(1);
    if (!row || row.session.revokedAt || row.session.expiresAt <= now || !row.user.isActive) return null;
    if (row.session.refreshTokenHash !== hashToken(refreshToken)) {
      await revokeSessions(deps, tx, record, row.user.id, "REFRESH_REUSE", { only: [row.session.id] });
      record.audit({
        action: "auth.refresh_reuse",
        outcome: "DENIED",
        targetType: "session",
        targetId: row.session.id,
        details: { userId: row.user.id },
        actor: null,
      });
      return null;
    }
    const { refreshTokenHash, ...rotated } = await issueTokens(deps, row.user, row.session.id);
    await tx
      .update(sessions)
      .set({
        refreshTokenHash,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + deps.settings.refreshTtlMs),
        ip: audit.origin.ip,
        userAgent: audit.origin.userAgent,
      })
      .where(eq(sessions.id, row.session.id));
    return rotated;
  });
  if (!session) throw ended();
  return session;
}
