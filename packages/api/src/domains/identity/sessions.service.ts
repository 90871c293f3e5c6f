import { randomUUID } from "node:crypto";
import type { Executor, Transaction } from "@medical/db";
import { type SessionRevocationReason, sessions, type User } from "@medical/db/schema";
import { and, eq, inArray, isNull, ne, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { ChangeRecorder } from "#platform/audit/audit.ts";
import { hashToken, randomToken } from "#platform/auth/secrets.ts";
import type { RequestOrigin } from "#platform/context.ts";
import type { Deps } from "#platform/deps.ts";
import { named } from "#platform/named.ts";
import { toUserDto, userExample, ZUserDto } from "./user-dto.ts";

/** Access tokens live at most 15 minutes (API-CONTRACT §2; configuration cannot raise it). */
const MAX_ACCESS_TOKEN_SECONDS = 15 * 60;

export const ZSessionDto = named(
  z.object({
    accessToken: z.string().meta({ description: "A JWT for `Authorization: Bearer …`" }),
    refreshToken: z
      .string()
      .meta({ description: "Opaque; spent by `POST /auth/refresh`, which answers a new pair" }),
    tokenType: z.literal("Bearer"),
    expiresIn: z
      .number()
      .int()
      .min(1)
      .max(MAX_ACCESS_TOKEN_SECONDS)
      .meta({ description: "Seconds until the access token expires" }),
    user: ZUserDto,
  }),
  "Session",
  {
    description: "A signed-in session: a token pair and the account",
    example: {
      accessToken:
        "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiI2ZjRiOGUxZC0zYzdhLTRmMmUtOWE1Yi0xZDhjNmUyZjRhMzciLCJyb2xlIjoiUEFUSUVOVCJ9.c2lnbmF0dXJl",
      refreshToken: "0d5e2b7a-4c1f-4a9e-8b3d-6e2f7a1c9d40.q3X9vR2mT7kP1wZ8yL4nB6cF0hJ5sD2gA9uE7iO3xYk",
      tokenType: "Bearer",
      expiresIn: 900,
      user: userExample,
    },
  },
);
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

/**
 * Whether an earlier session of the account (revoked and expired ones included) came from this
 * address with this user agent: a sign-in from anywhere else is one its owner is told about.
 */
export async function knownClient(db: Executor, userId: string, origin: RequestOrigin): Promise<boolean> {
  const [earlier] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        origin.ip === null ? isNull(sessions.ip) : eq(sessions.ip, origin.ip),
        origin.userAgent === null ? isNull(sessions.userAgent) : eq(sessions.userAgent, origin.userAgent),
      ),
    )
    .limit(1);
  return earlier !== undefined;
}

/** A new login: a new session row (refresh-token family) and its first token pair. */
export async function startSession(
  deps: Pick<Deps, "accessTokens" | "clock" | "settings">,
  db: Executor,
  user: User,
  origin: RequestOrigin,
  sessionId: string = randomUUID(),
): Promise<SessionDto> {
  const now = deps.clock.now();
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
 * Session ids per `session.revoked` event: a user may hold hundreds of sessions, and one event of
 * all of them would outgrow what a shared bus carries (MAX_MESSAGE_BYTES, ~200 ids).
 */
export const SESSIONS_PER_REVOCATION_EVENT = 100;

/**
 * Revokes a user's active sessions (all, or all but one) in the change's transaction and emits
 * `session.revoked` (one event per SESSIONS_PER_REVOCATION_EVENT sessions), which reaches the
 * EventBus (and the sockets of those sessions, on every instance) after commit.
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
  for (let start = 0; start < sessionIds.length; start += SESSIONS_PER_REVOCATION_EVENT) {
    const part = sessionIds.slice(start, start + SESSIONS_PER_REVOCATION_EVENT);
    record.emit("session.revoked", { v: 1, userId, sessionIds: part, reason });
  }
  return sessionIds;
}
