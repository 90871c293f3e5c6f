import { SignJWT } from "jose";
import postgres from "postgres";
import { ACCESS_TOKENS } from "../identity.ts";

/** One generated account with a session, and an access token for it. */
export interface Member {
  readonly userId: string;
  readonly token: string;
}

/** The role the generated subscribers hold: a role announcement reaches exactly them (no other STAFF exists). */
export const AUDIENCE_ROLE = "STAFF";

/**
 * `count` STAFF accounts and one ADMIN, each with a session, inserted in one statement per role into
 * a run copy, and an access token for each signed with `secret` (the JWT_SECRET the bench gives the
 * servers it boots): the accounts never sign in, so no password hash is computed (10k argon2 logins
 * would take minutes) and the per-user socket cap (WS_MAX_SOCKETS_PER_USER) stays at its default,
 * one socket per user.
 */
export async function seedAudience(
  databaseUrl: string,
  count: number,
  secret: string,
): Promise<{ members: Member[]; admin: Member }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const insert = (role: string, prefix: string, n: number) => sql<{ userId: string; sessionId: string }[]>`
      with created as (
        insert into users (email, role, first_name, last_name, email_verified_at)
        select ${prefix} || g || '@bench.test', ${role}, 'Bench', ${role} || ' ' || g, now()
        from generate_series(1, ${n}::int) g
        returning id
      )
      insert into sessions (user_id, refresh_token_hash, expires_at)
      select id, encode(sha256(convert_to(id::text, 'UTF8')), 'hex'), now() + interval '1 day' from created
      returning user_id as "userId", id as "sessionId"`;
    const rows = await insert(AUDIENCE_ROLE, "realtime-", count);
    const [adminRow] = await insert("ADMIN", "realtime-admin-", 1);
    if (!adminRow) throw new Error("no ADMIN inserted");
    const key = new TextEncoder().encode(secret);
    const sign = async (row: { userId: string; sessionId: string }, role: string): Promise<Member> => ({
      userId: row.userId,
      token: await new SignJWT({ sid: row.sessionId, role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(row.userId)
        .setIssuer(ACCESS_TOKENS.issuer)
        .setAudience(ACCESS_TOKENS.audience)
        .setIssuedAt()
        .setExpirationTime(`${ACCESS_TOKENS.ttlSeconds}s`)
        .sign(key),
    });
    return {
      members: await Promise.all(rows.map((row) => sign(row, AUDIENCE_ROLE))),
      admin: await sign(adminRow, "ADMIN"),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
