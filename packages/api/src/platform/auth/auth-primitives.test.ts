import { SignJWT } from "jose";
import { describe, expect, test } from "vitest";
import { createAccessTokens } from "./access-tokens.ts";
import { createArgon2Hasher, ZPassword } from "./passwords.ts";
import { hashToken, randomToken } from "./secrets.ts";

const settings = {
  secret: "s".repeat(40),
  issuer: "medical-backend",
  audience: "medical-api",
  ttlMs: 15 * 60_000,
};
const claims = {
  userId: "0f8fad5b-d9cb-469f-a165-70867728950e",
  sessionId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  role: "PATIENT" as const,
};
const at = (iso: string) => ({ now: () => new Date(iso) });

describe("passwords", () => {
  test("are hashed with argon2id at OWASP's cost", async () => {
    const hash = await createArgon2Hasher({ memoryKib: 19_456, iterations: 2 }).hash("correct horse battery");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  test("are compared after NFKC normalisation", async () => {
    const hasher = createArgon2Hasher({ memoryKib: 1024, iterations: 1 });
    const hash = await hasher.hash("ｐａｓｓｗｏｒｄ１２３"); // full-width forms
    expect(await hasher.verify(hash, "password123")).toBe(true);
    expect(await hasher.verify(hash, "password124")).toBe(false);
    expect(await hasher.verify("not-a-hash", "password123")).toBe(false);
  });

  test("must be 8 to 128 characters", () => {
    expect(ZPassword.safeParse("short7!").success).toBe(false);
    expect(ZPassword.safeParse("eight888").success).toBe(true);
    expect(ZPassword.safeParse("x".repeat(128)).success).toBe(true);
    expect(ZPassword.safeParse("x".repeat(129)).success).toBe(false);
  });
});

describe("access tokens", () => {
  const tokens = createAccessTokens(settings, at("2026-11-25T10:00:00Z"));

  test("carry sub, sid and role and verify with the same settings", async () => {
    const { token, expiresIn } = await tokens.sign(claims);
    expect(expiresIn).toBe(900);
    expect(await tokens.verify(token)).toMatchObject({ ok: true, claims });
  });

  test("past exp are expired, not merely invalid", async () => {
    const { token } = await tokens.sign(claims);
    const later = createAccessTokens(settings, at("2026-11-25T10:15:01Z"));
    expect(await later.verify(token)).toEqual({ ok: false, reason: "expired" });
  });

  test.each([
    ["another key", { ...settings, secret: "t".repeat(40) }],
    ["another audience", { ...settings, audience: "billing-api" }],
    ["another issuer", { ...settings, issuer: "someone-else" }],
  ])("signed with %s are invalid", async (_name, other) => {
    const { token } = await createAccessTokens(other, at("2026-11-25T10:00:00Z")).sign(claims);
    expect(await tokens.verify(token)).toEqual({ ok: false, reason: "invalid" });
  });

  test("with alg none, a tampered payload or a refresh token are invalid", async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({
        sub: claims.userId,
        sid: claims.sessionId,
        role: "ADMIN",
        iss: settings.issuer,
        aud: settings.audience,
        exp: 1_900_000_000,
      }),
    ).toString("base64url");
    expect(await tokens.verify(`${header}.${payload}.`)).toEqual({ ok: false, reason: "invalid" });

    const { token } = await tokens.sign(claims);
    const [h, , s] = token.split(".");
    expect(await tokens.verify(`${h}.${payload}.${s}`)).toEqual({ ok: false, reason: "invalid" });
    expect(await tokens.verify(`${claims.sessionId}.${randomToken()}`)).toEqual({
      ok: false,
      reason: "invalid",
    });
  });

  test("without the claims we need are invalid even when signed with our key", async () => {
    const key = new TextEncoder().encode(settings.secret);
    const token = await new SignJWT({ role: "ADMIN" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setExpirationTime("5m")
      .sign(key);
    expect(await createAccessTokens(settings, { now: () => new Date() }).verify(token)).toEqual({
      ok: false,
      reason: "invalid",
    });
  });
});

describe("single-use tokens", () => {
  test("are 256-bit URL-safe values stored as SHA-256", () => {
    const token = randomToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token);
    expect(randomToken()).not.toBe(token);
  });
});
