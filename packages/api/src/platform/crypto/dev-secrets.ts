import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** What a development machine runs with when JWT_SECRET or ENCRYPTION_KEYS is unset. */
export interface DevSecrets {
  jwtSecret: string;
  /** `kid:base64key`, as ENCRYPTION_KEYS spells it. */
  encryptionKeys: string;
}

const ZDevSecrets = z.object({ jwtSecret: z.string().min(32), encryptionKeys: z.string().min(1) });

/**
 * Development only: secrets generated once and kept in DATA_DIR, so tokens and data survive
 * restarts, and the seed encrypts with the key the server decrypts with.
 */
export function devSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, "dev-secrets.json");
  try {
    const saved = ZDevSecrets.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (saved.success) return saved.data;
  } catch {
    // Missing or unreadable: generate below.
  }
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(48).toString("base64url"),
    encryptionKeys: `dev1:${randomBytes(32).toString("base64")}`,
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
