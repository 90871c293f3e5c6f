import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { type Database, type DbHandle, drizzleOptions, MIGRATION_LOCK_KEY, quiet } from "./handle.ts";
import { observable, POSTGRES_METHODS } from "./observe.ts";
import { MIGRATIONS_FOLDER } from "./paths.ts";

export type { Database, DatabaseKind, DbHandle } from "./handle.ts";

export type CreateDbOptions =
  | { url: string; maxConnections?: number }
  | {
      /** PGlite folder; omitted → in memory. A folder is locked against other processes. */
      dataDir?: string;
      /** A data-directory tarball to start from (test copies of a migrated template). */
      loadDataDir?: Blob;
    };

// PGlite's module and its WebAssembly engine load only when a PGlite database is opened: a
// server on PostgreSQL never carries them.
const pgliteDriver = () => import("./pglite.ts");

export async function createDb(options: CreateDbOptions = {}): Promise<DbHandle> {
  return "url" in options
    ? openPostgres(options.url, options.maxConnections)
    : (await pgliteDriver()).openPglite(options);
}

function openPostgres(url: string, maxConnections = 10): DbHandle {
  const client = postgres(url, {
    max: maxConnections,
    onnotice: quiet,
    connection: { application_name: "medical-backend" },
  });
  const observed = observable(client, POSTGRES_METHODS);
  const db: Database = drizzlePostgres(observed.client, drizzleOptions);
  return {
    db,
    kind: "postgres",
    maxConnections,
    observeQueries: observed.observe,
    async migrate() {
      // A dedicated connection: an advisory lock belongs to the session that took it.
      const conn = postgres(url, { max: 1, onnotice: quiet });
      try {
        await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
        await migratePostgres(drizzlePostgres(conn, drizzleOptions), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await conn.end();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * A Database that only renders SQL (`query.toSQL()`) with the app's schema and casing. It has no
 * connection: running a query on it fails. The benchmark's bare twin renders a service's
 * statements with it and sends them through its own driver.
 */
export function createSqlRenderer(): Database {
  return drizzlePostgres.mock(drizzleOptions);
}

/** Serialises a PGlite database (for the test template); PostgreSQL uses CREATE DATABASE … TEMPLATE. */
export async function dumpPglite(dataDir: string | undefined, migrate = true): Promise<Blob> {
  return (await pgliteDriver()).dumpPglite(dataDir, migrate);
}

/** A transaction handle: services accept either, so one function serves both. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Executor = Database | Transaction;
