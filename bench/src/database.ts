import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, type DbHandle, MIGRATIONS_FOLDER } from "@medical/db";
import postgres from "postgres";
import type { Scenario } from "./scenario.ts";

/** Where a bare twin finds its copy of the run database. */
export type BareDatabase =
  | { readonly kind: "postgres"; readonly url: string }
  | { readonly kind: "pglite"; readonly dir: string };

/** A fresh copy of the snapshot for one server boot, so writes of one run never leak into the next. */
export interface RunCopy {
  /** DATA_DIR for the server: dev files, outbox and, on PGlite, the database folder `pglite/`. */
  readonly dataDir: string;
  /** Set for PostgreSQL; on PGlite the server finds `DATA_DIR/pglite` by itself. */
  readonly databaseUrl?: string;
  readonly bare: BareDatabase;
  dispose(): Promise<void>;
}

export interface Store {
  readonly kind: "postgres" | "pglite";
  readonly description: string;
  /**
   * Builds the snapshot (migrations + every scenario's data) unless an identical one exists; with
   * no scenario carrying data, a separate migrations-only one. Run copies are taken from it.
   */
  prepare(scenarios: readonly Scenario[]): Promise<void>;
  /** A copy named `name` (one per server booted at the same time); a new one replaces the old. */
  createRun(name: string): Promise<RunCopy>;
  close(): Promise<void>;
}

// bench/.data is covered by the repository's `.data/` ignore rule.
const WORK_DIR = fileURLToPath(new URL("../.data", import.meta.url));
const TEMPLATE = "medbench_tpl";
/**
 * The snapshot without any scenario's data (migrations only), for runs that seed their own (the
 * realtime scenarios): kept apart, so such a run neither waits for the generated load nor drops it.
 */
const MIGRATED_TEMPLATE = "medbench_tpl_migrated";
const hasData = (scenarios: readonly Scenario[]) => scenarios.some((scenario) => scenario.data);
const RUN_PREFIX = "medbench_run_";
const quiet = () => {};

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Changes whenever a migration or a scenario's data version changes, which is when the snapshot is stale. */
async function fingerprint(scenarios: readonly Pick<Scenario, "name" | "data">[]): Promise<string> {
  const hash = createHash("sha256").update("medbench snapshot v1\n");
  for (const file of (await listFiles(MIGRATIONS_FOLDER)).sort()) {
    hash.update(`${relative(MIGRATIONS_FOLDER, file)}\n`).update(await readFile(file));
  }
  for (const scenario of scenarios) {
    if (scenario.data) hash.update(`${scenario.name}@${scenario.data.version}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}

async function fill(handle: DbHandle, scenarios: readonly Scenario[]): Promise<void> {
  try {
    await handle.migrate();
    // Scenarios may share one data object (the generated load): each is seeded once.
    const data = new Set(scenarios.flatMap((scenario) => (scenario.data ? [scenario.data] : [])));
    for (const one of data) await one.seed(handle.db);
  } finally {
    await handle.close();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Run folders of benches that were killed (SIGKILL leaves no chance to clean up). */
async function removeStaleRuns(): Promise<void> {
  const entries = await readdir(WORK_DIR).catch(() => []);
  for (const entry of entries) {
    const pid = /^run-(\d+)(-[\w.]+)?$/.exec(entry)?.[1];
    if (pid && !isAlive(Number(pid))) await rm(join(WORK_DIR, entry), { recursive: true, force: true });
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function openPostgresStore(adminUrl: string): Promise<Store> {
  const admin = postgres(adminUrl, { max: 1, onnotice: quiet, connection: { application_name: "medbench" } });
  let version: string;
  try {
    const [row] = await admin<{ version: string; locked: boolean }[]>`
      select current_setting('server_version') as version, pg_try_advisory_lock(hashtext('medbench')) as locked`;
    if (!row?.locked) throw new Error("another `pnpm bench` is using this PostgreSQL; wait for it to finish");
    version = row.version;
  } catch (error) {
    await admin.end({ timeout: 1 });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PostgreSQL at ${new URL(adminUrl).host}: ${reason}\n(set BENCH_DATABASE_URL, or use --pglite)`,
    );
  }
  await removeStaleRuns();
  const runs = new Set<string>();
  let template = TEMPLATE;
  const dataDirOf = (name: string) => join(WORK_DIR, `run-${process.pid}-${name}`);
  const dropRun = async (name: string) => {
    await admin`drop database if exists ${admin(`${RUN_PREFIX}${name}`)} with (force)`;
    await rm(dataDirOf(name), { recursive: true, force: true });
  };
  return {
    kind: "postgres",
    description: `PostgreSQL ${version} at ${new URL(adminUrl).host}`,
    async prepare(scenarios) {
      template = hasData(scenarios) ? TEMPLATE : MIGRATED_TEMPLATE;
      const wanted = `medbench ${await fingerprint(scenarios)}`;
      const [row] = await admin<{ comment: string | null }[]>`
        select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${template}`;
      if (row?.comment === wanted) return;
      console.error(`preparing snapshot database ${template} (${wanted})…`);
      await admin`drop database if exists ${admin(template)} with (force)`;
      await admin`create database ${admin(template)}`;
      await fill(await createDb({ url: databaseUrl(adminUrl, template), maxConnections: 2 }), scenarios);
      // Set last: a snapshot whose filling failed has no comment and is rebuilt next time.
      await admin.unsafe(`comment on database ${template} is '${wanted}'`);
    },
    async createRun(name) {
      await dropRun(name);
      runs.add(name);
      await admin`create database ${admin(`${RUN_PREFIX}${name}`)} template ${admin(template)}`;
      const dataDir = dataDirOf(name);
      await mkdir(dataDir, { recursive: true });
      const url = databaseUrl(adminUrl, `${RUN_PREFIX}${name}`);
      return {
        dataDir,
        databaseUrl: url,
        bare: { kind: "postgres", url },
        async dispose() {
          runs.delete(name);
          await dropRun(name);
        },
      };
    },
    async close() {
      for (const name of runs) await dropRun(name);
      await admin.end({ timeout: 5 });
    },
  };
}

/** PGlite: the snapshot is a migrated data folder, copied per boot (the server locks its folder). */
export async function openPgliteStore(): Promise<Store> {
  await removeStaleRuns();
  let templateDir = join(WORK_DIR, "pglite-template");
  const fingerprintFile = () => join(templateDir, "fingerprint");
  const runs = new Set<string>();
  const dataDirOf = (name: string) => join(WORK_DIR, `run-${process.pid}-${name}`);
  return {
    kind: "pglite",
    description: "embedded PGlite",
    async prepare(scenarios) {
      templateDir = join(WORK_DIR, hasData(scenarios) ? "pglite-template" : "pglite-template-migrated");
      const wanted = await fingerprint(scenarios);
      const current = await readFile(fingerprintFile(), "utf8").catch(() => null);
      if (current === wanted) return;
      console.error(`preparing PGlite snapshot in ${templateDir} (${wanted})…`);
      await rm(templateDir, { recursive: true, force: true });
      await fill(await createDb({ dataDir: join(templateDir, "pglite") }), scenarios);
      await writeFile(fingerprintFile(), wanted);
    },
    async createRun(name) {
      const dataDir = dataDirOf(name);
      await rm(dataDir, { recursive: true, force: true });
      runs.add(name);
      await cp(join(templateDir, "pglite"), join(dataDir, "pglite"), { recursive: true });
      return {
        dataDir,
        bare: { kind: "pglite", dir: join(dataDir, "pglite") },
        async dispose() {
          runs.delete(name);
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
    async close() {
      for (const name of runs) await rm(dataDirOf(name), { recursive: true, force: true });
    },
  };
}

/**
 * A PGlite folder with every migration applied and no data, rebuilt when a migration changes:
 * what a server restarts on. The start-time runs copy it (src/startup.ts).
 */
export async function migratedPgliteFolder(): Promise<string> {
  const dir = join(WORK_DIR, "pglite-migrated");
  const fingerprintFile = join(dir, "fingerprint");
  const wanted = await fingerprint([]);
  const current = await readFile(fingerprintFile, "utf8").catch(() => null);
  if (current !== wanted) {
    await rm(dir, { recursive: true, force: true });
    await fill(await createDb({ dataDir: join(dir, "pglite") }), []);
    await writeFile(fingerprintFile, wanted);
  }
  return join(dir, "pglite");
}

/** A fresh folder for one start-time run, under the bench's work directory (removed with the run). */
export async function scratchDataDir(name: string): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = join(WORK_DIR, `run-${process.pid}-${name}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}
