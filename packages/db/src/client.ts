import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { pgliteExtensions } from "./extensions.ts";
import { lockDataDir } from "./lock.ts";
import { MIGRATIONS_FOLDER } from "./paths.ts";
import * as schema from "./schema/index.ts";

/** One type for both drivers: services never know which database they run on. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DatabaseKind = "pglite" | "postgres";

export interface DbHandle {
  readonly db: Database;
  readonly kind: DatabaseKind;
  /** Applies the SQL migrations of `drizzle/`, serialised across processes by an advisory lock. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export type CreateDbOptions =
  | { url: string; maxConnections?: number }
  | {
      /** PGlite folder; omitted → in memory. A folder is locked against other processes. */
      dataDir?: string;
      /** A data-directory tarball to start from (test copies of a migrated template). */
      loadDataDir?: Blob;
    };

const drizzleOptions = { schema, casing: "snake_case" } as const;
// Any fixed 64-bit key shared by every instance of this application.
const MIGRATION_LOCK_KEY = 0x6d65646963616cn;
const quiet = () => {};

export async function createDb(options: CreateDbOptions = {}): Promise<DbHandle> {
  return "url" in options ? openPostgres(options.url, options.maxConnections) : openPglite(options);
}

function openPostgres(url: string, maxConnections = 10): DbHandle {
  const client = postgres(url, {
    max: maxConnections,
    onnotice: quiet,
    connection: { application_name: "medical-backend" },
  });
  const db: Database = drizzlePostgres(client, drizzleOptions);
  return {
    db,
    kind: "postgres",
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

async function openPglite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<DbHandle> {
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : quiet;
  let pg: PGlite;
  try {
    pg = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      extensions: pgliteExtensions,
    });
  } catch (error) {
    unlock();
    throw error;
  }
  const db: Database = drizzlePglite(pg, drizzleOptions);
  let closed = false;
  return {
    db,
    kind: "pglite",
    async migrate() {
      // PGlite has one connection and a locked folder; the lock keeps the code path identical.
      await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`);
      try {
        await migratePglite(drizzlePglite(pg, drizzleOptions), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pg.close();
      } finally {
        unlock();
      }
    },
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
  const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: pgliteExtensions });
  try {
    if (migrate)
      await migratePglite(drizzlePglite(pg, drizzleOptions), { migrationsFolder: MIGRATIONS_FOLDER });
    return await pg.dumpDataDir("none");
  } finally {
    await pg.close();
  }
}

/** A transaction handle: services accept either, so one function serves both. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Executor = Database | Transaction;
