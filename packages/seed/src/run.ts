import { join } from "node:path";
import { createDb, DatabaseLockedError, type DbHandle } from "@medical/db";
import { ConfigError, type SeedConfig } from "./config.ts";

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite in DATA_DIR (locked). */
export function openDatabase(config: SeedConfig): Promise<DbHandle> {
  return createDb(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, "pglite") },
  );
}

/** A mistake the user can fix by reading one line; anything else prints its stack. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Runs a CLI's main and turns its result or failure into the exit code. */
export function runCli(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const known =
        error instanceof DatabaseLockedError || error instanceof ConfigError || error instanceof UsageError;
      // A failed query's own message (from the driver) is its cause; the wrapper only repeats the SQL.
      const cause =
        error instanceof Error && error.cause instanceof Error ? `\nCaused by: ${error.cause.message}` : "";
      process.stderr.write(
        `${command} failed: ${known || !(error instanceof Error) ? String(error) : error.stack}${cause}\n`,
      );
      process.exitCode = 1;
    },
  );
}
