import { createHash } from "node:crypto";

/**
 * Identity settings the bench gives the server under test (src/servers.ts) and that the identity
 * scenarios and the bare twin follow (src/scenarios/identity.ts), so both servers do the same work.
 */

/**
 * argon2id cost: the server's default (OWASP: 19 MiB, 2 iterations, 1 lane), passed to it
 * explicitly so a change of default cannot make the two servers differ. A verification runs at
 * the cost written in the stored hash, so the seeded hashes use it too.
 */
export const ARGON2_COST = { memoryKib: 19_456, iterations: 2, parallelism: 1 } as const;
export const ARGON2_LABEL = `argon2id m=${ARGON2_COST.memoryKib} KiB, t=${ARGON2_COST.iterations}, p=${ARGON2_COST.parallelism}`;

/** The server's access-token defaults (JWT_ISSUER, JWT_AUDIENCE, ACCESS_TOKEN_TTL), also passed explicitly. */
export const ACCESS_TOKENS = { issuer: "medical-backend", audience: "medical-api", ttlSeconds: 900 } as const;
/** The server's REFRESH_TOKEN_TTL default: the session row's expiry. */
export const REFRESH_TTL_MS = 30 * 24 * 3_600_000;

/**
 * The bench's encryption key (ENCRYPTION_KEYS of ours; the twin decrypts with it too): the
 * snapshot's generated records are sealed with it when the snapshot is built, and every server
 * boot must read them. Derived from a fixed text, so not a secret: it guards generated data in the
 * bench's own throwaway databases, like the generated accounts' shared password.
 */
export const BENCH_ENCRYPTION_KEY = {
  id: "bench1",
  key: createHash("sha256").update("medical-backend bench snapshot key").digest(),
} as const;
export const BENCH_ENCRYPTION_KEYS = `${BENCH_ENCRYPTION_KEY.id}:${BENCH_ENCRYPTION_KEY.key.toString("base64")}`;
