import { errors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import type { Clock } from "../deps.ts";
import type { Role } from "./roles.ts";
import { ROLES } from "./roles.ts";

export interface AccessTokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  /** At most 15 minutes; the server's configuration refuses more. */
  ttlMs: number;
}

export interface AccessClaims {
  userId: string;
  sessionId: string;
  role: Role;
}

export type VerifiedAccessToken =
  | { ok: true; claims: AccessClaims; expiresAt: Date }
  | { ok: false; reason: "expired" | "invalid" };

const ZClaims = z.object({
  sub: z.uuid(),
  sid: z.uuid(),
  role: z.enum(ROLES),
  exp: z.number(),
});

export interface AccessTokens {
  sign(claims: AccessClaims): Promise<{ token: string; expiresIn: number }>;
  verify(token: string): Promise<VerifiedAccessToken>;
}

/** HS256 access tokens with a pinned algorithm, issuer, audience and expiry (jose). */
export function createAccessTokens(settings: AccessTokenSettings, clock: Clock): AccessTokens {
  // Imported once: given raw bytes, jose imports a WebCrypto key at every sign and verify.
  const key = crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(settings.secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  const expiresIn = Math.floor(settings.ttlMs / 1000);
  return {
    async sign({ userId, sessionId, role }) {
      const now = Math.floor(clock.now().getTime() / 1000);
      const token = await new SignJWT({ sid: sessionId, role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(userId)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + expiresIn)
        .sign(await key);
      return { token, expiresIn };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await key, {
          algorithms: ["HS256"],
          issuer: settings.issuer,
          audience: settings.audience,
          currentDate: clock.now(),
        });
        const claims = ZClaims.safeParse(payload);
        if (!claims.success) return { ok: false, reason: "invalid" };
        const { sub, sid, role, exp } = claims.data;
        return { ok: true, claims: { userId: sub, sessionId: sid, role }, expiresAt: new Date(exp * 1000) };
      } catch (error) {
        return { ok: false, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
      }
    },
  };
}
