import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createDb, type DbHandle, dumpPglite } from "@medical/db";
import postgres from "postgres";

/** How a test file gets its own database; decided once per run by the test setup. */
export type TestDatabaseSpec =
  | { kind: "pglite"; templatePath: string }
  | { kind: "postgres"; adminUrl: string; template: string; prefix: string };

/** `url` is set on PostgreSQL, so a test can hand the same database to a server process. */
export type TestDatabase = DbHandle & AsyncDisposable & { url?: string };

const quiet = () => {};

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, onnotice: quiet });
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

/** Migrates an in-memory PGlite once and writes its data directory, for every test file to load. */
export async function preparePgliteTemplate(templatePath: string): Promise<void> {
  const dump = await dumpPglite(undefined);
  await writeFile(templatePath, Buffer.from(await dump.arrayBuffer()));
}

/** Creates and migrates this run's template (`prefix` names this run's databases only). */
export async function preparePostgresTemplate(adminUrl: string, prefix: string): Promise<string> {
  const template = `${prefix}_tpl`;
  await withAdmin(adminUrl, (sql) => sql`create database ${sql(template)}`);
  const handle = await createDb({ url: databaseUrl(adminUrl, template), maxConnections: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  return template;
}

export async function dropPostgresDatabases(adminUrl: string, prefix: string): Promise<void> {
  await withAdmin(adminUrl, async (sql) => {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${prefix}\\_%`}`;
    for (const { datname } of rows) await sql`drop database if exists ${sql(datname)} with (force)`;
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

/**
 * Drops the databases of earlier runs that ended without cleaning up: runs name theirs
 * `<base>_<pid>_…`, so a run whose process is gone is a leftover, and concurrent runs on one
 * server (two developers, or a helper and CI) leave each other alone.
 */
export async function dropOrphanedTestDatabases(adminUrl: string, base: string): Promise<void> {
  await withAdmin(adminUrl, async (sql) => {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${base}\\_%`}`;
    for (const { datname } of rows) {
      const pid = Number(datname.slice(base.length + 1).split("_")[0]);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
      await sql`drop database if exists ${sql(datname)} with (force)`;
    }
  });
}

let templateBytes: Promise<Buffer> | undefined;

/** A database of its own for one test file: a copy of the migrated template, removed on dispose. */
export async function openTestDatabase(spec: TestDatabaseSpec): Promise<TestDatabase> {
  if (spec.kind === "pglite") {
    templateBytes ??= readFile(spec.templatePath);
    const handle = await createDb({ loadDataDir: new Blob([await templateBytes]) });
    return { ...handle, [Symbol.asyncDispose]: () => handle.close() };
  }
  const copy = await copyPostgresTemplate(spec);
  const handle = await createDb({ url: copy.url, maxConnections: 5 });
  let disposed = false;
  const close = async () => {
    if (disposed) return;
    disposed = true;
    await handle.close();
    await copy.drop();
  };
  return { ...handle, url: copy.url, close, [Symbol.asyncDispose]: close };
}

async function copyPostgresTemplate(spec: Extract<TestDatabaseSpec, { kind: "postgres" }>) {
  const name = `${spec.prefix}_${randomBytes(6).toString("hex")}`;
  await withAdmin(spec.adminUrl, (sql) => sql`create database ${sql(name)} template ${sql(spec.template)}`);
  return {
    url: databaseUrl(spec.adminUrl, name),
    drop: async () => {
      await withAdmin(spec.adminUrl, (sql) => sql`drop database if exists ${sql(name)} with (force)`);
    },
  };
}

/** A migrated database for a command that runs as its own process, as `ProcessDatabase` says. */
export interface ProcessDatabase {
  /** What to add to the process's environment: DATA_DIR, and DATABASE_URL on PostgreSQL. */
  env: { DATA_DIR: string; DATABASE_URL?: string };
  /** Opens it in the test, once the process has exited (a PGlite folder takes one process at a time). */
  open(): Promise<DbHandle>;
  /** Drops the PostgreSQL database; the caller removes `dataDir`. */
  drop(): Promise<void>;
}

/**
 * A copy of the run's migrated template for a command run as its own process (`pnpm seed`,
 * `admin:create`): the PGlite folder `<dataDir>/pglite` loaded from the tarball (~1 s, where a
 * fresh folder's initdb and migrations take 5–10 s), or on PostgreSQL a database of its own.
 */
export async function prepareProcessDatabase(
  spec: TestDatabaseSpec,
  dataDir: string,
): Promise<ProcessDatabase> {
  if (spec.kind === "pglite") {
    const folder = join(dataDir, "pglite");
    templateBytes ??= readFile(spec.templatePath);
    await (await createDb({ dataDir: folder, loadDataDir: new Blob([await templateBytes]) })).close();
    return { env: { DATA_DIR: dataDir }, open: () => createDb({ dataDir: folder }), drop: async () => {} };
  }
  const copy = await copyPostgresTemplate(spec);
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: copy.url },
    open: () => createDb({ url: copy.url, maxConnections: 5 }),
    drop: copy.drop,
  };
}
