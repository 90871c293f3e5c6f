import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { text } from "../fields/fields.ts";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** Passwords are compared after NFKC normalisation, so "ﬁ" and "fi" or full-width digits agree. */
export const normalizePassword = (password: string) => password.normalize("NFKC");

/**
 * The document shows the lengths on the text sent; the server counts them after normalisation,
 * which rarely changes a password's length.
 */
export const ZPassword = z
  .string()
  .meta({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, counted after NFKC normalisation`,
  })
  .transform(normalizePassword)
  .pipe(text(PASSWORD_MAX_LENGTH, { min: PASSWORD_MIN_LENGTH, trim: false }));

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(encodedHash: string, password: string): Promise<boolean>;
}

export interface Argon2Cost {
  memoryKib: number;
  iterations: number;
}

/** argon2id with the configured cost (OWASP: 19 MiB, 2 iterations, 1 lane). */
export function createArgon2Hasher(cost: Argon2Cost): PasswordHasher {
  // 2 is Algorithm.Argon2id: the package declares a const enum, which isolated modules cannot read.
  const options = { algorithm: 2, memoryCost: cost.memoryKib, timeCost: cost.iterations, parallelism: 1 };
  return {
    hash: (password) => hash(normalizePassword(password), options),
    async verify(encodedHash, password) {
      try {
        return await verify(encodedHash, normalizePassword(password));
      } catch {
        return false;
      }
    },
  };
}
