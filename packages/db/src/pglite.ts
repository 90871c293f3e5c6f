import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { pgliteExtensions } from "./extensions.ts";
import { type Database, type DbHandle, drizzleOptions, MIGRATION_LOCK_KEY, quiet } from "./handle.ts";
import { lockDataDir } from "./lock.ts";
import { observable, PGLITE_METHODS } from "./observe.ts";
import { MIGRATIONS_FOLDER } from "./paths.ts";

/**
 * What every PGlite instance starts with (the bench's bare twin too). PostgreSQL's default 128 MB
 * of shared buffers live in the WebAssembly memory, which never shrinks, and were a third of a
 * PGlite server's RSS; 32 MB hold the demo data and a test's database, and the OS caches the
 * folder's files anyway. A start parameter, not `postgresqlconf`: that option rewrites the
 * folder's whole postgresql.conf.
 */
export const pgliteOptions = {
  extensions: pgliteExtensions,
  startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"],
};

/**
 * The embedded driver, `@medical/db/pglite`: client.ts imports this module only when PGlite is
 * chosen, and `@medical/db` itself never imports it statically.
 */
export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<DbHandle> {
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : quiet;
  let pg: PGlite;
  try {
    pg = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      ...pgliteOptions,
    });
  } catch (error) {
    unlock();
    throw error;
  }
  const observed = observable(pg, PGLITE_METHODS);
  const db: Database = drizzlePglite(observed.client, drizzleOptions);
  let closed = false;
  return {
    db,
    kind: "pglite",
    maxConnections: 1,
    observeQueries: observed.observe,
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

export async function dumpPglite(dataDir: string | undefined, migrate: boolean): Promise<Blob> {
  const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...pgliteOptions });
  try {
    if (migrate)
      await migratePglite(drizzlePglite(pg, drizzleOptions), { migrationsFolder: MIGRATIONS_FOLDER });
    return await pg.dumpDataDir("none");
  } finally {
    await pg.close();
  }
}
