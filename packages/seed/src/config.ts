import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type EncryptionKey, normalizeEmail, parseEncryptionKeys } from "@medical/api";
import { z } from "zod";

const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../../.data", import.meta.url));
/** The server's floor too (apps/server config): production never hashes below OWASP's cost. */
export const OWASP_ARGON2 = { memoryKib: 19_456, iterations: 2 } as const;

// Normalised as the API stores it before the format check, so " Admin@Clinic.DZ " is accepted as typed.
const email = z.string().transform(normalizeEmail).pipe(z.email());

/** `kid:base64key,...` with 32-byte keys, the first one current (API-CONTRACT §5). */
const encryptionKeys = z.string().transform((text, ctx): EncryptionKey[] => {
  const keys = parseEncryptionKeys(text);
  if (!keys)
    ctx.addIssue({
      code: "custom",
      message: "expected a comma list of kid:base64 entries with 32-byte keys and unique ids",
    });
  return keys ?? [];
});

const SeedEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL")
    .optional(),
  ADMIN_EMAIL: email.optional(),
  // The server's login limits (8–128 after NFKC); checked here so a typo fails before any write.
  ADMIN_PASSWORD: z.string().min(8).max(128).optional(),
  ADMIN_FIRST_NAME: z.string().trim().min(1).max(100).default("Admin"),
  ADMIN_LAST_NAME: z.string().trim().min(1).max(100).default("Clinic"),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(OWASP_ARGON2.memoryKib),
  ARGON2_ITERATIONS: z.coerce.number().int().min(1).default(OWASP_ARGON2.iterations),
  ENCRYPTION_KEYS: encryptionKeys.optional(),
});

export interface SeedConfig {
  production: boolean;
  dataDir: string;
  databaseUrl?: string;
  admin: { email?: string; password?: string; firstName: string; lastName: string };
  argon2: { memoryKib: number; iterations: number };
  /** ENCRYPTION_KEYS, needed by `keys:rotate` only; never printed. */
  encryptionKeys?: EncryptionKey[];
}

/** The configuration is wrong; the message lists every problem and names no secret value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  - ${issue.path.join(".") || "(env)"}: ${issue.message}`).join("\n");
}

/**
 * The seed CLIs' one reader of process.env (API-CONTRACT §5). `overrides` are command-line
 * values that win over their variable (`admin:create --email`); they are validated alike.
 * Throws ConfigError, including under NODE_ENV=production with argon2 cost below OWASP.
 */
export function loadSeedConfig(
  source: NodeJS.ProcessEnv = process.env,
  overrides: { ADMIN_EMAIL?: string } = {},
): SeedConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const parsed = SeedEnv.safeParse({ ...present, ...overrides });
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${formatIssues(parsed.error)}`);
  const env = parsed.data;
  const production = env.NODE_ENV === "production";
  if (
    production &&
    (env.ARGON2_MEMORY_KIB < OWASP_ARGON2.memoryKib || env.ARGON2_ITERATIONS < OWASP_ARGON2.iterations)
  ) {
    throw new ConfigError(
      "NODE_ENV=production requires ARGON2_MEMORY_KIB ≥ 19456 and ARGON2_ITERATIONS ≥ 2 (OWASP)",
    );
  }
  return {
    production,
    dataDir: resolve(source.INIT_CWD ?? process.cwd(), env.DATA_DIR),
    databaseUrl: env.DATABASE_URL,
    admin: {
      email: env.ADMIN_EMAIL,
      password: env.ADMIN_PASSWORD,
      firstName: env.ADMIN_FIRST_NAME,
      lastName: env.ADMIN_LAST_NAME,
    },
    argon2: { memoryKib: env.ARGON2_MEMORY_KIB, iterations: env.ARGON2_ITERATIONS },
    encryptionKeys: env.ENCRYPTION_KEYS,
  };
}
