import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BareDatabase, RunCopy } from "./database.ts";
import { ACCESS_TOKENS, ARGON2_COST, BENCH_ENCRYPTION_KEYS, REFRESH_TTL_MS } from "./identity.ts";
import type { NodeRuntime } from "./node-versions.ts";
import {
  freePort,
  type LongRunning,
  onCleanup,
  spawnTracked,
  startLongRunning,
  waitForHttp,
} from "./processes.ts";

export type ServerKind = "ours" | "bare";

export interface BootedServer {
  readonly kind: ServerKind;
  readonly baseUrl: string;
  readonly process: LongRunning;
  /** From spawn to the first healthy answer (ours: 200 on the readiness route), in ms. */
  readonly startMs: number;
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** What production runs: `pnpm build`'s output, on plain node. */
export const DEFAULT_SERVER_ENTRY = fileURLToPath(new URL("../../apps/server/dist/main.js", import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL("./bare/main.ts", import.meta.url));
// An absolute URL, so `--import` resolves the same file whatever the child's cwd and Node version.
const TSX_LOADER = import.meta.resolve("tsx");
// JavaScript already (see the file): a data: URL needs no loader, so a compiled server runs without tsx.
const MEMORY_PROBE = `data:text/javascript;base64,${readFileSync(
  fileURLToPath(new URL("./probe/memory-probe.ts", import.meta.url)),
).toString("base64")}`;
const HEALTH_PATH = "/api/v1/health";
// Limiters stay in the request path (their cost is measured) but must not answer 429 to one client doing 5k req/s.
// As many windows as the server's defaults: login limits per account+IP, account and IP (three
// windows, read by position; a missing one is a rule without windows, which the server refuses).
const unlimited = (windows: number) => Array.from({ length: windows }, () => "1000000/1s").join(",");

/** Only what a process needs to run; configuration inherited from the shell would make runs differ. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ["PATH", "HOME", "LANG", "TZ", "TMPDIR"]) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Production settings with throwaway secrets, so the measured code paths are the deployed ones. */
function oursEnv(port: number, copy: BootOptions["copy"]): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    DATA_DIR: copy.dataDir,
    ...(copy.databaseUrl ? { DATABASE_URL: copy.databaseUrl } : {}),
    JWT_SECRET: randomBytes(48).toString("base64url"),
    JWT_ISSUER: ACCESS_TOKENS.issuer,
    JWT_AUDIENCE: ACCESS_TOKENS.audience,
    ACCESS_TOKEN_TTL: `${ACCESS_TOKENS.ttlSeconds}s`,
    REFRESH_TOKEN_TTL: `${REFRESH_TTL_MS / 1000}s`,
    ARGON2_MEMORY_KIB: String(ARGON2_COST.memoryKib),
    ARGON2_ITERATIONS: String(ARGON2_COST.iterations),
    // The snapshot's key: its records were sealed with it (src/identity.ts).
    ENCRYPTION_KEYS: BENCH_ENCRYPTION_KEYS,
    MAIL_TRANSPORT: "file",
    RATE_LIMIT_LOGIN: unlimited(3),
    RATE_LIMIT_AUTH: unlimited(1),
    RATE_LIMIT_PUBLIC: unlimited(2),
  };
}

function bareEnv(port: number, copy: BootOptions["copy"]): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    NODE_ENV: "production",
    BARE_PORT: String(port),
    // Its own secret: each server verifies only the tokens it signed (src/identity.ts has the rest).
    BARE_JWT_SECRET: randomBytes(48).toString("base64url"),
    ...(copy.bare?.kind === "postgres" ? { BARE_DATABASE_URL: copy.bare.url } : {}),
    ...(copy.bare?.kind === "pglite" ? { BARE_PGLITE_DIR: copy.bare.dir } : {}),
  };
}

/** What the compiled server is built from: a file here newer than the build makes it stale. */
const BUILD_SOURCES = [
  "apps/server/src",
  "apps/server/scripts",
  "packages/api/src",
  "packages/db/src",
  "drizzle",
];

function newestSourceMs(): number {
  let newest = 0;
  for (const dir of BUILD_SOURCES) {
    const root = join(REPO_ROOT, dir);
    for (const name of readdirSync(root, { recursive: true, encoding: "utf8" }))
      newest = Math.max(newest, statSync(join(root, name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the compiled server (`pnpm build`) when the default entry is missing or older than its
 * sources: a bench of a stale build measures code that is no longer there (or answers 404 for
 * routes added since).
 */
export async function ensureBuilt(entry: string): Promise<void> {
  if (entry !== DEFAULT_SERVER_ENTRY) return;
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestSourceMs()) return;
  console.error(`${entry} is missing or older than its sources: running pnpm build…`);
  const built = await spawnTracked("pnpm", ["build"], { timeoutMs: 600_000, cwd: REPO_ROOT });
  if (built.code !== 0 || !existsSync(entry))
    throw new Error(`pnpm build failed (exit ${built.code}):\n${built.stderr.slice(-2_000)}`);
}

/** The README's production command's heap cap (ADR 0016), in MiB. */
export const PRODUCTION_OLD_SPACE_MIB = 256;
/** The flags of the README's production command, for our compiled server only. */
const productionFlags = (maxOldSpaceMiB: number) => [
  "--max-semi-space-size=16",
  `--max-old-space-size=${maxOldSpaceMiB}`,
];

/**
 * A `.ts` entry (an old commit's apps/server/src/main.ts, the bare twin) runs under tsx, as it did
 * in production then; our compiled `.js` entry on plain node with the production flags.
 */
function nodeArgs(kind: ServerKind, entry: string, maxOldSpaceMiB: number): string[] {
  const flags = entry.endsWith(".ts")
    ? ["--import", TSX_LOADER]
    : kind === "ours"
      ? productionFlags(maxOldSpaceMiB)
      : [];
  return [...flags, "--import", MEMORY_PROBE, entry];
}

export interface BootOptions {
  readonly kind: ServerKind;
  readonly node: NodeRuntime;
  /** The database copy; for ours, a `dataDir` alone starts it on PGlite in that folder. */
  readonly copy: Pick<RunCopy, "dataDir" | "databaseUrl"> & { readonly bare?: BareDatabase };
  readonly serverEntry: string;
  /** How often readiness is polled: often for a start-time run, calmly otherwise. */
  readonly pollMs?: number;
  /**
   * Settings over the bench's own (src/realtime/: a JWT_SECRET two processes share, EVENT_BUS,
   * REDIS_URL), so a scenario can boot the configuration it measures.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** Ours' heap cap instead of production's (--max-old-space), to see past an out-of-memory. */
  readonly maxOldSpaceMiB?: number;
}

/** Boots our server (or the bare twin) on `node` and resolves once it answers on 127.0.0.1. */
export async function bootServer({
  kind,
  node,
  copy,
  serverEntry,
  pollMs,
  env,
  maxOldSpaceMiB = PRODUCTION_OLD_SPACE_MIB,
}: BootOptions): Promise<BootedServer> {
  const port = await freePort();
  const entry = kind === "ours" ? serverEntry : BARE_ENTRY;
  const started = performance.now();
  const child = startLongRunning(node.execPath, nodeArgs(kind, entry, maxOldSpaceMiB), {
    env: { ...(kind === "ours" ? oursEnv(port, copy) : bareEnv(port, copy)), ...env },
    cwd: REPO_ROOT,
  });
  const unregister = onCleanup(() => child.stop());
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    unregister();
    await child.stop();
  };
  try {
    // Ours must be healthy (database up); the bare twin only has to listen (it answers 404 on /).
    await waitForHttp(kind === "ours" ? `${baseUrl}${HEALTH_PATH}` : `${baseUrl}/`, child, {
      timeoutMs: 90_000,
      pollMs,
      accept: (status) => (kind === "ours" ? status === 200 : status > 0),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, baseUrl, process: child, startMs: performance.now() - started, stop };
}
