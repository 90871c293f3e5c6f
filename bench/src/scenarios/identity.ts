import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Database } from "@medical/db";
import { users } from "@medical/db/schema";
import { hash, verify } from "@node-rs/argon2";
import { jwtVerify, SignJWT } from "jose";
import { ARGON2_COST, ARGON2_LABEL, REFRESH_TTL_MS } from "../identity.ts";
import type { BareQuery, BareRoute, BareTokens, Row, Scenario } from "../scenario.ts";
import { failure } from "./envelope.ts";

const LOGIN_PATH = "/api/v1/auth/login";
const ME_PATH = "/api/v1/users/me";

interface BenchUser {
  readonly email: string;
  readonly password: string;
  readonly firstName: string;
}

// One account per scenario, so each one's data stands alone. The passwords are throwaway: the
// snapshot database is the bench's own.
const LOGIN_USER: BenchUser = {
  email: "bench-login@example.com",
  password: "bench-login-pw-1",
  firstName: "Login",
};
const ME_USER: BenchUser = { email: "bench-me@example.com", password: "bench-me-pw-1", firstName: "Me" };

// 2 is Algorithm.Argon2id: the package declares a const enum, which isolated modules cannot read.
const ARGON2_OPTIONS = {
  algorithm: 2,
  memoryCost: ARGON2_COST.memoryKib,
  timeCost: ARGON2_COST.iterations,
  parallelism: ARGON2_COST.parallelism,
};

/** The server hashes NFKC-normalised passwords (packages/api/src/auth/passwords.ts); so does the bare twin. */
export const normalizePassword = (password: string) => password.normalize("NFKC");

async function seedUser(db: Database, user: BenchUser): Promise<void> {
  await db.insert(users).values({
    email: user.email,
    passwordHash: await hash(normalizePassword(user.password), ARGON2_OPTIONS),
    role: "PATIENT",
    isActive: true,
    emailVerifiedAt: new Date(),
    firstName: user.firstName,
    lastName: "Bench",
    locale: "fr",
  });
}

const credentials = (user: BenchUser) => JSON.stringify({ email: user.email, password: user.password });

/** The server's user DTO (packages/api/src/services/identity/user-dto.ts) from a `users` row. */
function userDto(row: Row) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    locale: row.locale,
    timezone: row.timezone,
    isActive: row.is_active,
    emailVerified: row.email_verified_at !== null,
    createdAt: row.created_at,
  };
}

/** The server's access token: HS256, `sub`, `sid`, `role`, issuer, audience, iat and exp. */
async function signAccessToken(tokens: BareTokens, claims: { sub: string; sid: string; role: string }) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: claims.sid, role: claims.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(tokens.issuer)
    .setAudience(tokens.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + tokens.ttlSeconds)
    .sign(tokens.key);
}

/** The twin's check of its own access tokens, shared by its authenticated routes. */
export async function verifyAccessToken(tokens: BareTokens, authorization: string | undefined) {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, tokens.key, {
      algorithms: ["HS256"],
      issuer: tokens.issuer,
      audience: tokens.audience,
    });
    const { sub, sid } = payload;
    return typeof sub === "string" && typeof sid === "string" ? { sub, sid } : null;
  } catch {
    return null;
  }
}

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null;

/**
 * The login without the server's rate limiters, audit row and transaction: the user by
 * lower(email), an argon2 verification, a session row, a signed JWT.
 */
const bareLogin: BareRoute = {
  method: "POST",
  path: LOGIN_PATH,
  async handle({ query, body, headers, tokens }) {
    if (!isObject(body) || typeof body.email !== "string" || typeof body.password !== "string")
      return failure(400, "email and password are required");
    const [user] = await query("select * from users where lower(email) = $1 limit 1", [
      body.email.trim().toLowerCase(),
    ]);
    const passwordHash = user?.password_hash;
    const valid =
      typeof passwordHash === "string" &&
      (await verify(passwordHash, normalizePassword(body.password)).catch(() => false));
    if (!user || !valid || user.is_active !== true) return failure(401, "Invalid email or password");
    const userId = String(user.id);
    const sessionId = randomUUID();
    const refreshToken = `${sessionId}.${randomBytes(32).toString("base64url")}`;
    const accessToken = await signAccessToken(tokens, {
      sub: userId,
      sid: sessionId,
      role: String(user.role),
    });
    const now = new Date();
    await query(
      `insert into sessions (id, user_id, refresh_token_hash, user_agent, ip, created_at, last_used_at, expires_at)
       values ($1, $2, $3, $4, $5, $6, $6, $7)`,
      [
        sessionId,
        userId,
        createHash("sha256").update(refreshToken).digest("hex"),
        headers["user-agent"]?.slice(0, 300) ?? null,
        "127.0.0.1", // the bench's only client address, which ours stores too
        now.toISOString(),
        new Date(now.getTime() + REFRESH_TTL_MS).toISOString(),
      ],
    );
    return {
      status: 200,
      body: {
        success: true,
        data: {
          accessToken,
          refreshToken,
          tokenType: "Bearer",
          expiresIn: tokens.ttlSeconds,
          user: userDto(user),
        },
        message: "Signed in",
      },
    };
  },
};

/**
 * authenticate() of the server: the JWT, then the session ⋈ user check. The caller's account and
 * current role, or null (401).
 */
export async function bareAuthenticate(
  query: BareQuery,
  tokens: BareTokens,
  authorization: string | undefined,
): Promise<{ userId: string; role: string } | null> {
  const claims = await verifyAccessToken(tokens, authorization);
  if (!claims) return null;
  const [session] = await query(
    `select sessions.revoked_at, users.role, users.is_active from sessions
     inner join users on users.id = sessions.user_id
     where sessions.id = $1 and sessions.user_id = $2 limit 1`,
    [claims.sid, claims.sub],
    // Ours prepares it (platform/auth/authenticate.ts).
    { prepared: true },
  );
  if (!session || session.revoked_at !== null || session.is_active !== true) return null;
  return { userId: claims.sub, role: String(session.role) };
}

/** authenticate() and getMe() of the server: the JWT, the session ⋈ user check, the user row. */
const bareMe: BareRoute = {
  path: ME_PATH,
  async handle({ query, headers, tokens }) {
    const caller = await bareAuthenticate(query, tokens, headers.authorization);
    if (!caller) return failure(401, "Authentication required");
    // Ours prepares it (identity/access.ts).
    const [user] = await query("select * from users where id = $1 limit 1", [caller.userId], {
      prepared: true,
    });
    if (!user) return failure(404, "User not found");
    return { status: 200, body: { success: true, data: userDto(user), message: null } };
  },
};

/**
 * Logins per second: bound by argon2 on the server's CPU. hey repeats one body, so every request
 * logs the same account in, and every success inserts a session row (and, on ours, an audit row):
 * harmless here, since each server boot gets a fresh copy of the snapshot database.
 */
export const login: Scenario = {
  name: "login",
  description: `POST /api/v1/auth/login, one account, ${ARGON2_LABEL}: rate limiters, user by lower(email), argon2 verification, a session row (+ audit row, known-device check and sign-in event on ours) and an HS256 JWT; every login inserts a session row`,
  targets: [{ path: LOGIN_PATH, method: "POST", body: credentials(LOGIN_USER) }],
  bare: [bareLogin],
  data: { version: 1, seed: (db) => seedUser(db, LOGIN_USER) },
};

/** The cheapest authenticated request: token check, session look-up and one row. */
export const usersMe: Scenario = {
  name: "users.me",
  description:
    "GET /api/v1/users/me with a Bearer token from one login: HS256 verification, the session ⋈ user join and the user row",
  targets: [{ path: ME_PATH }],
  // Logs in on the server being measured (the bare twin answers the login scenario's route), so
  // each one gets a token it signed and a session row it wrote.
  async setup({ postJson }) {
    const answer = await postJson(LOGIN_PATH, { email: ME_USER.email, password: ME_USER.password });
    const data = isObject(answer) && isObject(answer.data) ? answer.data : undefined;
    if (typeof data?.accessToken !== "string")
      throw new Error(`login answered no access token: ${JSON.stringify(answer)}`);
    return [{ path: ME_PATH, headers: { authorization: `Bearer ${data.accessToken}` } }];
  },
  bare: [bareMe],
  data: { version: 1, seed: (db) => seedUser(db, ME_USER) },
  minRatio: 0.7,
};
