import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../../.data", import.meta.url));

const SeedEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// or postgresql:// URL")
    .optional(),
});

export interface SeedConfig {
  production: boolean;
  dataDir: string;
  databaseUrl?: string;
}

/** The seed CLI's one reader of process.env (API-CONTRACT §5). */
export function loadSeedConfig(source: NodeJS.ProcessEnv = process.env): SeedConfig {
  const env = SeedEnv.parse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== "")));
  return {
    production: env.NODE_ENV === "production",
    dataDir: resolve(source.INIT_CWD ?? process.cwd(), env.DATA_DIR),
    databaseUrl: env.DATABASE_URL,
  };
}
