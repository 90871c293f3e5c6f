import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { RunCopy } from "./database.ts";
import type { NodeRuntime } from "./node-versions.ts";
import { freePort, type LongRunning, onCleanup, startLongRunning, waitForHttp } from "./processes.ts";

export type ServerKind = "ours" | "bare";

export interface BootedServer {
  readonly kind: ServerKind;
  readonly baseUrl: string;
  readonly process: LongRunning;
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEFAULT_SERVER_ENTRY = fileURLToPath(new URL("../../apps/server/src/main.ts", import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL("./bare/main.ts", import.meta.url));
// Absolute URLs, so `--import` resolves the same files whatever the child's cwd and Node version.
const TSX_LOADER = import.meta.resolve("tsx");
const MEMORY_PROBE = new URL("./probe/memory-probe.ts", import.meta.url).href;
const HEALTH_PATH = "/api/v1/health";
// Limiters stay in the request path (their cost is measured) but must not answer 429 to one client doing 5k req/s.
const UNLIMITED = "1000000/1s";

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
function oursEnv(port: number, copy: RunCopy): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    DATA_DIR: copy.dataDir,
    ...(copy.databaseUrl ? { DATABASE_URL: copy.databaseUrl } : {}),
    JWT_SECRET: randomBytes(48).toString("base64url"),
    ENCRYPTION_KEYS: `bench1:${randomBytes(32).toString("base64")}`,
    MAIL_TRANSPORT: "file",
    RATE_LIMIT_LOGIN: UNLIMITED,
    RATE_LIMIT_AUTH: UNLIMITED,
    RATE_LIMIT_PUBLIC: UNLIMITED,
  };
}

function bareEnv(port: number, copy: RunCopy): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    NODE_ENV: "production",
    BARE_PORT: String(port),
    ...(copy.bare.kind === "postgres"
      ? { BARE_DATABASE_URL: copy.bare.url }
      : { BARE_PGLITE_DIR: copy.bare.dir }),
  };
}

/** Boots our server (or the bare twin) on `node` and resolves once it answers on 127.0.0.1. */
export async function bootServer(
  kind: ServerKind,
  node: NodeRuntime,
  copy: RunCopy,
  serverEntry: string,
): Promise<BootedServer> {
  const port = await freePort();
  const entry = kind === "ours" ? serverEntry : BARE_ENTRY;
  const child = startLongRunning(node.execPath, ["--import", TSX_LOADER, "--import", MEMORY_PROBE, entry], {
    env: kind === "ours" ? oursEnv(port, copy) : bareEnv(port, copy),
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
      accept: (status) => (kind === "ours" ? status === 200 : status > 0),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, baseUrl, process: child, stop };
}
