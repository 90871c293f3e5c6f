import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunCopy, Store } from "../database.ts";
import { retainedMemory } from "../memory.ts";
import type { NodeRuntime } from "../node-versions.ts";
import { layout } from "../report.ts";
import { type BootedServer, bootServer, type ServerKind } from "../servers.ts";
import type { TargetCheck } from "../targets.ts";
import { type Member, seedAudience } from "./audience.ts";
import { LOOPBACK_ADDRESSES, type SocketClient, startSocketClient } from "./clients.ts";
import type { TransportName } from "./transports.ts";

/** What a realtime scenario (heap per socket, broadcast, cross-instance delivery) gets to run with. */
export interface RealtimeContext {
  readonly scenario: string;
  readonly node: NodeRuntime;
  readonly store: Store;
  readonly serverEntry: string;
  /** Ours' heap cap (--max-old-space; production's by default). */
  readonly maxOldSpaceMiB?: number;
  /** Sockets per server (--sockets; the issue's scale is 10,000). */
  readonly sockets: number;
  /** How long a latency series publishes (--duration). */
  readonly durationMs: number;
  readonly log: (line: string) => void;
}

/** One figure of one transport on one server kind; null when the transport is not available. */
export interface RealtimeResult {
  readonly scenario: string;
  readonly node: string;
  readonly transport: TransportName;
  readonly server: ServerKind;
  /** `KB/socket`, `ms to last`, `ms p95`. */
  readonly unit: string;
  readonly value: number | null;
  /** The figures behind it, e.g. heap before and after, sockets opened, p50 and max. */
  readonly detail: string;
  /** Which event bus carried it, when the scenario compares buses. */
  readonly bus?: string;
}

/** A run of a realtime scenario instead of hey's loads (src/scenarios/notifications.ts). */
export interface Realtime {
  run(context: RealtimeContext): Promise<RealtimeResult[]>;
  /** Checks of the reported Node's results against the issue's targets. */
  targets(results: readonly RealtimeResult[]): TargetCheck[];
}

/** A run copy with `count` subscribers, and a JWT secret shared by every server booted on it. */
export interface Fixture {
  readonly copy: RunCopy;
  readonly secret: string;
  readonly members: readonly Member[];
  readonly admin: Member;
  readonly client: SocketClient;
  boot(kind: ServerKind, env?: NodeJS.ProcessEnv): Promise<BootedServer>;
}

/** Sets up a fixture for `work` and tears every part of it down after, whatever happens. */
export async function withFixture<T>(
  context: RealtimeContext,
  count: number,
  work: (fixture: Fixture) => Promise<T>,
): Promise<T> {
  const copy = await context.store.createRun("realtime");
  const booted: BootedServer[] = [];
  let client: SocketClient | undefined;
  try {
    const secret = randomBytes(48).toString("base64url");
    if (!copy.databaseUrl) throw new Error("the realtime scenarios need PostgreSQL");
    context.log(`seeding ${count} subscribers…`);
    const { members, admin } = await seedAudience(copy.databaseUrl, count, secret);
    client = startSocketClient();
    return await work({
      copy,
      secret,
      members,
      admin,
      client,
      async boot(kind, env) {
        const server = await bootServer({
          kind,
          node: context.node,
          copy,
          serverEntry: context.serverEntry,
          maxOldSpaceMiB: context.maxOldSpaceMiB,
          env: { JWT_SECRET: secret, ...env },
        });
        booted.push(server);
        return server;
      },
    });
  } finally {
    await client?.stop();
    for (const server of booted) await server.stop();
    await copy.dispose();
  }
}

/** Opens one socket per token; null when the transport answers 404 (not built yet). */
export async function openSockets(
  client: SocketClient,
  server: BootedServer,
  transport: TransportName,
  tokens: readonly (string | null)[],
  log: (line: string) => void,
): Promise<number | null> {
  const started = performance.now();
  const { opened, refusals } = await client.open({
    baseUrl: server.baseUrl,
    transport,
    tokens: [...tokens],
    addresses: LOOPBACK_ADDRESSES,
  });
  const refused = Object.entries(refusals)
    .map(([why, n]) => `${n}× ${why}`)
    .join(", ");
  log(
    `${transport}: ${opened} of ${tokens.length} sockets live in ${((performance.now() - started) / 1000).toFixed(1)} s${refused ? `; refused: ${refused}` : ""}`,
  );
  if (opened === 0 && (refusals["HTTP 404"] ?? 0) > 0) return null;
  if (opened < tokens.length)
    throw new Error(`${transport}: only ${opened} of ${tokens.length} sockets came up (${refused})`);
  return opened;
}

/**
 * The client's wait for deliveries, failed at once with the server's last output if a server it
 * depends on exits meanwhile (out of memory, a crash) instead of at the wait's timeout.
 */
export function deliveries(
  client: SocketClient,
  servers: readonly BootedServer[],
  command: Parameters<SocketClient["wait"]>[0],
): ReturnType<SocketClient["wait"]> {
  const exits = servers.map((server) =>
    server.process.exited.then((code) => {
      throw new Error(`the server exited (code ${code}) while delivering:\n${server.process.tail()}`);
    }),
  );
  return Promise.race([client.wait(command), ...exits]);
}

/** Epoch milliseconds with sub-millisecond precision, comparable with the socket client's. */
export const now = () => performance.timeOrigin + performance.now();

/** POSTs JSON; throws with the answer on a non-2xx status. */
export async function post(url: string, body: unknown, token?: string): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url}: HTTP ${response.status} ${text.slice(0, 300)}`);
}

const KB = 1_000;

/** Heap retained per socket: after GC with `count` idle sockets open, minus after GC before. */
export async function heapPerSocket(
  server: BootedServer,
  open: () => Promise<number | null>,
): Promise<{ value: number | null; detail: string }> {
  const before = await retainedMemory(server.process);
  const opened = await open();
  if (opened === null) return { value: null, detail: "not available (HTTP 404)" };
  // Subscriptions finish their first read after "started": let the server go idle.
  await sleep(2_000);
  const after = await retainedMemory(server.process);
  const perSocket = (after.heapUsed - before.heapUsed) / opened / KB;
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return {
    value: perSocket,
    detail: `${opened} sockets; heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB; RSS ${mib(before.rss)} → ${mib(after.rss)} MiB (${((after.rss - before.rss) / opened / KB).toFixed(1)} KB/socket)`,
  };
}

/** The figures in one table, the detail of each row under it. */
export function formatRealtime(results: readonly RealtimeResult[]): string {
  const header = ["realtime", "node", "transport", "server", "bus", "unit", "value"];
  const cells = results.map((r) => [
    r.scenario,
    r.node,
    r.transport,
    r.server,
    r.bus ?? "",
    r.unit,
    r.value === null ? "n/a" : r.value.toFixed(1),
  ]);
  const details = results.map(
    (r) => `  ${r.scenario} ${r.node} ${r.transport}${r.bus ? ` ${r.bus}` : ""} (${r.server}): ${r.detail}`,
  );
  return `${layout(header, cells, 6)}\n${details.join("\n")}`;
}
