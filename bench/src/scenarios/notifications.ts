import { BARE_BROADCAST_PATH } from "../bare/sockets.ts";
import { sampleMemory } from "../memory.ts";
import { ShutdownError } from "../processes.ts";
import { AUDIENCE_ROLE } from "../realtime/audience.ts";
import {
  deliveries,
  type Fixture,
  heapPerSocket,
  now,
  openSockets,
  post,
  type Realtime,
  type RealtimeContext,
  type RealtimeResult,
  withFixture,
} from "../realtime/realtime.ts";
import { TRANSPORTS, type Transport, type TransportName } from "../realtime/transports.ts";
import type { Scenario } from "../scenario.ts";
import type { BootedServer } from "../servers.ts";
import type { TargetCheck } from "../targets.ts";

/**
 * The notifications issue's realtime figures (issue 18, Bench): heap per idle subscriber, a role
 * broadcast, and publish-to-deliver across two instances. They hold sockets instead of loading
 * routes (src/realtime/); every transport of src/realtime/transports.ts runs, and one our server
 * answers 404 for (the plain socket before it lands) is reported "not available".
 */

const ANNOUNCE_PATH = "/api/v1/notifications";
/** Untimed sockets opened and closed first, so code compiled and caches filled on first use are in the baseline. */
const WARM_UP_SOCKETS = 100;

const realtimeScenario = (name: string, description: string, realtime: Realtime): Scenario => ({
  name,
  description,
  targets: [],
  bare: [],
  realtime,
});

const result = (
  context: RealtimeContext,
  transport: TransportName,
  fields: Omit<RealtimeResult, "scenario" | "node" | "transport" | "server">,
): RealtimeResult => ({
  scenario: context.scenario,
  node: context.node.version,
  transport,
  server: TRANSPORTS.find((t) => t.name === transport)?.server ?? "ours",
  ...fields,
});

const fixed = (value: number | null, digits = 1) => (value === null ? "n/a" : value.toFixed(digits));
/** A target checked on one row; a row without a figure prints why (not available, or failed: a miss). */
const check = (
  what: string,
  target: string,
  row: RealtimeResult,
  value: number | null,
  measured: string,
  met: (value: number) => boolean,
): TargetCheck => ({
  what,
  target,
  measured: value === null ? row.detail : measured,
  met: value !== null ? met(value) : row.detail.startsWith("failed") ? false : null,
});

/** The first line of a failure, and whether the server ran out of heap (its output says so). */
function failureOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const outOfMemory = /JavaScript heap out of memory/.test(text) ? ": JavaScript heap out of memory" : "";
  return `failed: ${(text.split("\n")[0] ?? "").replace(/:$/, "")}${outOfMemory}`;
}

/**
 * Ours and the twin on one fixture of --sockets subscribers; `measure` runs each transport in
 * turn. A transport that fails (the server out of memory) is a row saying so, and the next one
 * gets a fresh server if that one died.
 */
function perTransport(
  context: RealtimeContext,
  unit: string,
  measure: (
    fixture: Fixture,
    transport: Transport,
    server: BootedServer,
    tokens: readonly string[],
  ) => Promise<RealtimeResult>,
): Promise<RealtimeResult[]> {
  return withFixture(context, context.sockets, async (fixture) => {
    const tokens = fixture.members.map((m) => m.token);
    const servers = { ours: await fixture.boot("ours"), bare: await fixture.boot("bare") };
    const results: RealtimeResult[] = [];
    for (const transport of TRANSPORTS) {
      if (servers[transport.server].process.hasExited())
        servers[transport.server] = await fixture.boot(transport.server);
      try {
        results.push(await measure(fixture, transport, servers[transport.server], tokens));
      } catch (error) {
        if (error instanceof ShutdownError) throw error;
        const detail = failureOf(error);
        context.log(`${transport.name} ${detail}`);
        results.push(result(context, transport.name, { unit, value: null, detail }));
        await fixture.client.close();
      }
    }
    return results;
  });
}

/** Heap per idle subscriber at 10k: ours per transport, the bare `ws` twin beside it. */
const HEAP_TARGET_KB: Partial<Record<TransportName, number>> = { trpc: 20, plain: 10 };

export const notificationsIdleHeap = realtimeScenario(
  "notifications.idle-heap",
  "heap retained per idle socket holding one notifications subscription (tRPC notifications.onEvent; the plain socket), " +
    "after two full GCs in the server (the memory probe), minus the same before opening; one user per socket, sockets " +
    "bound to 40 loopback addresses; the client in its own process. Beside it the bare twin's plain `ws` socket.",
  {
    run: (context) =>
      perTransport(context, "KB/socket", async ({ client }, transport, server, tokens) => {
        const open = (slice: readonly string[]) =>
          openSockets(client, server, transport.name, slice, context.log);
        if ((await open(tokens.slice(0, WARM_UP_SOCKETS))) !== null) await client.close();
        const heap = await heapPerSocket(server, () => open(tokens));
        await client.close();
        return result(context, transport.name, { unit: "KB/socket", ...heap });
      }),
    targets(results) {
      const bare = results.find((r) => r.transport === "bare")?.value ?? null;
      return results.flatMap((r) => {
        const max = HEAP_TARGET_KB[r.transport];
        if (max === undefined) return [];
        return [
          check(
            `heap per idle ${r.transport} subscriber`,
            `≤ ${max} KB`,
            r,
            r.value,
            `${fixed(r.value)} KB (bare ws ${fixed(bare)} KB)`,
            (value) => value <= max,
          ),
        ];
      });
    },
  },
);

/** The same announcement as the plain socket's frame, for the twin to send every socket. */
const bareFrame = (title: string) => ({
  type: "event",
  id: "1",
  data: {
    id: "00000000-0000-4000-8000-000000000000",
    type: "SYSTEM",
    title,
    body: "Maintenance ce soir de 22:00 à 23:00.",
    data: { announcementId: "00000000-0000-4000-8000-000000000001" },
    position: 1,
    isRead: false,
    readAt: null,
    createdAt: new Date().toISOString(),
  },
});
const BROADCAST_TIMEOUT_MS = 180_000;
const MAX_BROADCAST_RATIO = 3;

export const notificationsBroadcast = realtimeScenario(
  "notifications.broadcast",
  `an ADMIN announcement to a role (POST ${ANNOUNCE_PATH} with role ${AUDIENCE_ROLE}) reaching every connected ` +
    "subscriber, one user per socket: time from sending the POST to the last delivery (the consumer's fan-out, the " +
    `bus, each subscriber's read). Beside it the bare twin sending the same frame to as many \`ws\` sockets (POST ${BARE_BROADCAST_PATH}).`,
  {
    run: (context) =>
      perTransport(context, "ms to last", async (fixture, transport, server, tokens) => {
        const opened = await openSockets(fixture.client, server, transport.name, tokens, context.log);
        if (opened === null)
          return result(context, transport.name, {
            unit: "ms to last",
            value: null,
            detail: "not available (HTTP 404)",
          });
        const title = `Annonce ${transport.name} ${Date.now()}`;
        const memory = sampleMemory(server.process);
        const started = now();
        if (transport.server === "bare")
          await post(`${server.baseUrl}${BARE_BROADCAST_PATH}`, bareFrame(title));
        else
          await post(
            `${server.baseUrl}${ANNOUNCE_PATH}`,
            { role: AUDIENCE_ROLE, title, body: "Maintenance ce soir de 22:00 à 23:00." },
            fixture.admin.token,
          );
        const answered = now() - started;
        const { arrivals, closedEarly } = await deliveries(fixture.client, [server], {
          titles: [title],
          count: opened,
          timeoutMs: BROADCAST_TIMEOUT_MS,
        });
        const peaks = await memory.stop();
        await fixture.client.close();
        const arrived = arrivals[0];
        if (!arrived || arrived.count < opened)
          throw new Error(
            `${transport.name}: ${arrived?.count ?? 0} of ${opened} deliveries in ${BROADCAST_TIMEOUT_MS} ms (${closedEarly} sockets closed)`,
          );
        return result(context, transport.name, {
          unit: "ms to last",
          value: arrived.last - started,
          detail: `${opened} sockets; POST answered in ${answered.toFixed(0)} ms, first delivery ${(arrived.first - started).toFixed(0)} ms, last ${(arrived.last - started).toFixed(0)} ms; peak heap ${peaks.heapUsedMiB?.toFixed(0) ?? "?"} MiB, RSS ${peaks.rssMiB?.toFixed(0) ?? "?"} MiB`,
        });
      }),
    targets(results) {
      const bare = results.find((r) => r.transport === "bare")?.value ?? null;
      return results.flatMap((r) => {
        if (r.server !== "ours") return [];
        const ratio = r.value === null || bare === null ? null : r.value / bare;
        return [
          check(
            `broadcast to every ${r.transport} subscriber, last delivery ÷ bare ws`,
            `≤ ${MAX_BROADCAST_RATIO}×`,
            r,
            ratio,
            `${fixed(ratio, 2)}× (${fixed(r.value, 0)} ms vs ${fixed(bare, 0)} ms)`,
            (value) => value <= MAX_BROADCAST_RATIO,
          ),
        ];
      });
    },
  },
);

/** Sockets on instance B at the scale, fewer with a smaller --sockets. */
const CROSS_SOCKETS = 1_000;
/** Notifications published per second during a series: well below what one instance delivers. */
const PUBLISH_RATE = 20;
const WARM_UP_PUBLISHES = 20;
const MAX_CROSS_P95_MS = 50;
/** Each run's own Redis channel: other processes on the same Redis (tests) must not cross it. */
const REDIS_URL = process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379";
const BUSES: readonly { name: string; env: NodeJS.ProcessEnv }[] = [
  { name: "postgres", env: { EVENT_BUS: "postgres" } },
  { name: "redis", env: { EVENT_BUS: "redis", REDIS_URL, EVENT_BUS_CHANNEL: `medbench.${process.pid}` } },
];

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

export const notificationsCrossInstance = realtimeScenario(
  "notifications.cross-instance",
  `publish-to-deliver across two instances on one PostgreSQL: ${CROSS_SOCKETS} subscribers on instance B, a ` +
    `notification to one of them at a time (POST ${ANNOUNCE_PATH} with userId) on instance A, ${PUBLISH_RATE}/s for ` +
    "--duration after an untimed warm-up; latency from sending the POST to the delivery on B's socket (outbox, " +
    "consumer, bus, B's read). One series per bus (EVENT_BUS=postgres: LISTEN/NOTIFY; EVENT_BUS=redis) and per transport.",
  {
    async run(context) {
      const count = Math.min(CROSS_SOCKETS, context.sockets);
      const results: RealtimeResult[] = [];
      for (const bus of BUSES) {
        await withFixture(context, count, async (fixture) => {
          const a = await fixture.boot("ours", bus.env);
          const b = await fixture.boot("ours", bus.env);
          for (const transport of TRANSPORTS.filter((t) => t.server === "ours")) {
            const opened = await openSockets(
              fixture.client,
              b,
              transport.name,
              fixture.members.map((m) => m.token),
              context.log,
            );
            if (opened === null) {
              results.push(
                result(context, transport.name, {
                  bus: bus.name,
                  unit: "ms p95",
                  value: null,
                  detail: "not available (HTTP 404)",
                }),
              );
              continue;
            }
            const series = async (publishes: number, tag: string) => {
              const sent: { title: string; at: number }[] = [];
              const answered: number[] = [];
              const posts: Promise<void>[] = [];
              const start = now();
              for (let i = 0; i < publishes; i += 1) {
                const due = start + (i * 1_000) / PUBLISH_RATE;
                const wait = due - now();
                if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
                const member = fixture.members[i % fixture.members.length];
                const title = `Latence ${bus.name} ${transport.name} ${tag} ${i}`;
                const at = now();
                sent.push({ title, at });
                posts.push(
                  post(
                    `${a.baseUrl}${ANNOUNCE_PATH}`,
                    { userId: member?.userId, title, body: "Test." },
                    fixture.admin.token,
                  ).then(() => {
                    answered.push(now() - at);
                  }),
                );
              }
              await Promise.all(posts);
              const { arrivals } = await deliveries(fixture.client, [a, b], {
                titles: sent.map((s) => s.title),
                count: 1,
                timeoutMs: 60_000,
              });
              const latencies = sent.map((s, i) => {
                const arrived = arrivals[i];
                if (!arrived) throw new Error(`${s.title} was not delivered within 60 s`);
                return arrived.first - s.at;
              });
              const sorted = (values: number[]) => values.sort((x, y) => x - y);
              return { latencies: sorted(latencies), answered: sorted(answered) };
            };
            await series(WARM_UP_PUBLISHES, "warm-up");
            const { latencies, answered } = await series(
              Math.max(1, Math.round((context.durationMs / 1_000) * PUBLISH_RATE)),
              "timed",
            );
            await fixture.client.close();
            const p95 = percentile(latencies, 95);
            results.push(
              result(context, transport.name, {
                bus: bus.name,
                unit: "ms p95",
                value: p95,
                detail: `${opened} sockets on B, ${latencies.length} notifications via A at ${PUBLISH_RATE}/s: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms; the POST answered in p50 ${percentile(answered, 50).toFixed(1)} ms`,
              }),
            );
          }
        });
      }
      return results;
    },
    targets(results) {
      return results.map((r) =>
        check(
          `publish-to-deliver across two instances, ${r.bus} bus, ${r.transport}`,
          `p95 < ${MAX_CROSS_P95_MS} ms`,
          r,
          r.value,
          `${fixed(r.value)} ms`,
          (value) => value < MAX_CROSS_P95_MS,
        ),
      );
    },
  },
);
