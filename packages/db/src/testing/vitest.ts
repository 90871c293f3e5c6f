import { inject } from "vitest";
import {
  openTestDatabase,
  type ProcessDatabase,
  prepareProcessDatabase,
  type TestDatabase,
  type TestDatabaseSpec,
} from "./databases.ts";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseSpec;
    /** Chromium for browser tests, or null when missing (the setup said so loudly). */
    chromiumPath: string | null;
    /** Redis for multi-instance tests, or null when missing (the setup said so loudly). */
    redisUrl: string | null;
  }
}

/**
 * The test file's own database, as the run's global setup prepared it (PGlite template copy, or
 * `CREATE DATABASE … TEMPLATE` on PostgreSQL under `pnpm test:pg`). Call once per file in beforeAll.
 */
export function openFileDatabase(): Promise<TestDatabase> {
  return openTestDatabase(inject("testDatabase"));
}

/** A copy of the run's template for a command run as its own process with DATA_DIR `dataDir`. */
export function processDatabase(dataDir: string): Promise<ProcessDatabase> {
  return prepareProcessDatabase(inject("testDatabase"), dataDir);
}
