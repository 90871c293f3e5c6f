import type { Executor } from "@medical/db";
import { type UserToken, type UserTokenPurpose, userTokens } from "@medical/db/schema";
import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { hashToken, randomToken } from "#platform/auth/secrets.ts";
import type { Clock } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";

export const TOKEN_LIFETIME_MS: Record<UserTokenPurpose, number> = {
  PASSWORD_RESET: 60 * 60_000,
  INVITATION: 7 * 24 * 60 * 60_000,
  EMAIL_VERIFICATION: 2 * 24 * 60 * 60_000,
};

/** Creates a single-use token; only its hash is stored, the value goes into one mail. */
export async function createUserToken(
  clock: Clock,
  db: Executor,
  userId: string,
  purpose: UserTokenPurpose,
): Promise<string> {
  const token = randomToken();
  const now = clock.now();
  await db.insert(userTokens).values({
    userId,
    purpose,
    tokenHash: hashToken(token),
    createdAt: now,
    expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS[purpose]),
  });
  return token;
}

/**
 * Uses a token of one of the purposes: it must exist, be unused and unexpired. Locks the row, so
 * two concurrent uses cannot both succeed.
 */
export async function consumeUserToken(
  clock: Clock,
  db: Executor,
  token: string,
  purposes: readonly UserTokenPurpose[],
): Promise<UserToken> {
  const now = clock.now();
  const [row] = await db
    .select()
    .from(userTokens)
    .where(
      and(
        eq(userTokens.tokenHash, hashToken(token)),
        inArray(userTokens.purpose, [...purposes]),
        isNull(userTokens.usedAt),
        gt(userTokens.expiresAt, now),
      ),
    )
    .for("update")
    .limit(1);
  if (!row) throw new DomainError("INVALID_TOKEN");
  await db.update(userTokens).set({ usedAt: now }).where(eq(userTokens.id, row.id));
  return row;
}

/** Voids a user's other outstanding tokens (after a reset, a password change, an invitation use). */
export async function voidUserTokens(
  clock: Clock,
  db: Executor,
  userId: string,
  purposes?: readonly UserTokenPurpose[],
): Promise<void> {
  await db
    .update(userTokens)
    .set({ usedAt: clock.now() })
    .where(
      and(
        eq(userTokens.userId, userId),
        isNull(userTokens.usedAt),
        ...(purposes ? [inArray(userTokens.purpose, [...purposes])] : []),
      ),
    );
}
