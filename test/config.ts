import { existsSync } from "node:fs";
import { z } from "zod";

/** The test setup's one reader of process.env (API-CONTRACT §5, §7). Helpers get values as arguments. */
const TestEnv = z.object({
  TEST_DB: z.enum(["pglite", "postgres"]).default("pglite"),
  TEST_DATABASE_URL: z.url().default("postgres://postgres@127.0.0.1:5432/postgres"),
  CHROMIUM_PATH: z.string().default("/usr/bin/chromium"),
  REDIS_URL: z.url().default("redis://127.0.0.1:6379"),
  CI: z.stringbool().default(false),
  /** Requests the fuzzer (apps/server/test/fuzz.e2e.test.ts) sends; `pnpm fuzz --runs N` sets it. */
  FUZZ_RUNS: z.coerce.number().int().positive().default(3_000),
  FUZZ_SEED: z.coerce.number().int().default(20_261_207),
});

export type TestConfig = z.infer<typeof TestEnv>;

export function loadTestConfig(env: NodeJS.ProcessEnv = process.env): TestConfig {
  return TestEnv.parse({ ...env, CI: env.CI === "" ? undefined : env.CI });
}

/** A service a test needs is missing: fail under CI, otherwise say so loudly once and skip. */
export function missingService(config: TestConfig, what: string, hint: string): void {
  const line = `\n⚠️  SKIPPED: ${what} is not available (${hint}). Tests that need it did not run.\n`;
  if (config.CI) throw new Error(`CI=true and ${what} is not available: ${hint}`);
  process.stderr.write(line);
}

export function chromiumPath(config: TestConfig): string | null {
  return existsSync(config.CHROMIUM_PATH) ? config.CHROMIUM_PATH : null;
}
