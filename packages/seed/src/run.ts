import { join } from "node:path";
import { parseArgs } from "node:util";
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

export interface CommandLine<Name extends string> {
  help: boolean;
  flags: Partial<Record<Name, string>>;
}

/**
 * A command's `--name value` flags plus `-h/--help`, parsed strictly: an unknown or malformed
 * flag is a UsageError carrying the usage text. A leading "--" (npm's habit of forwarding it) is
 * dropped.
 */
export function parseCommandLine<Name extends string>(
  argv: string[],
  usage: string,
  names: readonly Name[],
): CommandLine<Name> {
  try {
    const { values } = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : argv,
      options: {
        ...Object.fromEntries(names.map((name) => [name, { type: "string" as const }])),
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    // The options are built from `names`, so their values are only known by name here.
    const parsed: Record<string, unknown> = values;
    const flags: Partial<Record<Name, string>> = {};
    for (const name of names) {
      const value = parsed[name];
      if (typeof value === "string") flags[name] = value;
    }
    return { help: values.help === true, flags };
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
}

/** An integer flag within bounds, or a UsageError naming the flag. */
export function integerFlag(
  value: string | undefined,
  rule: { flag: string; fallback: number; min: number; max: number },
  usage: string,
): number {
  const number = Number(value ?? rule.fallback);
  if (!Number.isInteger(number) || number < rule.min || number > rule.max) {
    throw new UsageError(`${rule.flag} takes an integer from ${rule.min} to ${rule.max}\n\n${usage}`);
  }
  return number;
}
