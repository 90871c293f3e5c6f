import { randomUUID } from "node:crypto";
import type { Executor, Transaction } from "@medical/db";
import { type SessionRevocationReason, sessions, type User } from "@medical/db/schema";
import { and, eq, inArray, isNull, ne, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { ChangeRecorder } from "#platform/audit/audit.ts";
import { hashToken, randomToken } from "#platform/auth/secrets.ts";
import type { RequestOrigin } from "#platform/context.ts";
import type { Deps } from "#platform/deps.ts";
import { toUserDto, ZUserDto } from "./user-dto.ts";

export const ZSessionDto = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number().int().positive(),
  user: ZUserDto,
});
export type SessionDto = z.infer<typeof ZSessionDto>;

/** `<session id>.<secret>`: the id finds the family, the secret proves possession. */
export function parseRefreshToken(token: string): { sessionId: string } | null {
  // Ours are 80 characters; a longer one is nobody's, and is not worth splitting or hashing.
  if (token.length > 128) return null;
  const [sessionId, secret, extra] = token.split(".");
  if (extra !== undefined || !secret || !z.uuid().safeParse(sessionId).success) return null;
  return sessionId ? { sessionId } : null;
}

export async function issueTokens(
  deps: Pick<Deps, "accessTokens">,
  user: User,
  sessionId: string,
): Promise<SessionDto & { refreshTokenHash: string }> {
  const refreshToken = `${sessionId}.${randomToken()}`;
  const { token, expiresIn } = await deps.accessTokens.sign({ userId: user.id, sessionId, role: user.role });
  return {
    accessToken: token,
    refreshToken,
    refreshTokenHash: hashToken(refreshToken),
    tokenType: "Bearer",
    expiresIn,
    user: toUserDto(user),
  };
}

/** A new login: a new session row (refresh-token family) and its first token pair. */
export async function startSession(
  deps: Pick<Deps, "accessTokens" | "clock" | "settings">,
  db: Executor,
  user: User,
  origin: RequestOrigin,
): Promise<SessionDto> {
  const now = deps.clock.now();
  const sessionId = randomUUID();
  const { refreshTokenHash, ...dto } = await issueTokens(deps, user, sessionId);
  await db.insert(sessions).values({
    id: sessionId,
    userId: user.id,
    refreshTokenHash,
    userAgent: origin.userAgent,
    ip: origin.ip,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + deps.settings.refreshTtlMs),
  });
  return dto;
}

/**
 * Revokes a user's active sessions (all, or all but one) in the change's transaction and emits
 * `session.revoked`, which reaches the EventBus (and the sockets of those sessions) after commit.
 */
export async function revokeSessions(
  deps: Pick<Deps, "clock">,
  tx: Transaction,
  record: ChangeRecorder,
  userId: string,
  reason: SessionRevocationReason,
  options: { except?: string; only?: string[] } = {},
): Promise<string[]> {
  const filters: SQL[] = [eq(sessions.userId, userId), isNull(sessions.revokedAt)];
  if (options.except) filters.push(ne(sessions.id, options.except));
  if (options.only) filters.push(inArray(sessions.id, options.only));
  const revoked = await tx
    .update(sessions)
    .set({ revokedAt: deps.clock.now(), revokedReason: reason })
    .where(and(...filters))
    .returning({ id: sessions.id });
  const sessionIds = revoked.map((row) => row.id);
  if (sessionIds.length) record.emit("session.revoked", { v: 1, userId, sessionIds, reason });
  return sessionIds;
}
