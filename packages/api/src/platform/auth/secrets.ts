import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe: refresh tokens and mailed single-use tokens. */
export const randomToken = () => randomBytes(32).toString("base64url");

/** Tokens are stored as SHA-256: a database leak does not hand out live tokens. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
