/*
pnpm bench [scenario…] [options]

Load-tests the server against a bare baseline (API-CONTRACT §8). For each Node version it boots
apps/server (NODE_ENV=production, LOG_LEVEL=warn, 127.0.0.1, a free port) on a fresh copy of a
snapshot database, drives every scenario with hey, stops it, then does the same with the bare
twin: node:http + postgres-js (or PGlite) running the same SQL, in its own process. Prints one
table and writes everything to bench/results/<timestamp>.json (git-ignored).

Each scenario runs, after an untimed warm-up, two ways per server:
  closed   fixed concurrency, as fast as the server answers: saturation req/s; ours/bare is
           ours ÷ bare req/s on these rows
  fixed    a fixed request rate for latency p50/p95/p99: --rate-workers single-connection hey
           processes, each -q rate/workers, started 1/rate apart so their requests interleave;
           a scenario that saturates far below --rate caps it (maxRate: login runs at 50/s)

Options
  scenario…           scenarios to run, by name (default: all of src/scenarios/index.ts)
  --pglite            run on embedded PGlite instead of PostgreSQL
  --node 24,20        Node majors to run the servers on, first one is the reported figure
                      (default 24,20; --node 20 for a quick run). A major other than the running
                      Node is fetched once with `npx -y node@<major>`.
  --duration 10s      length of each timed run (ms, s or m; at most 5m)
  --warmup 2s         untimed closed-loop warm-up per scenario and server
  --concurrency 32    workers of the closed loop
  --rate 300          requests per second of the fixed-rate run (at most a scenario's maxRate)
  --rate-workers 10   hey processes sharing that rate (one connection each)
  --server <file>     entry file to boot instead of apps/server/src/main.ts (e.g. a stand-in)
  -h, --help          this text

Environment
  BENCH_DATABASE_URL  PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres).
                      The bench keeps a snapshot database medbench_tpl (rebuilt when a migration
                      or a scenario's data version changes) and copies it to medbench_run with
                      CREATE DATABASE … TEMPLATE for every server boot; the copy is dropped at the
                      end and on Ctrl-C. One bench at a time per PostgreSQL (advisory lock).
                      With --pglite the snapshot is a data folder in bench/.data/.

Columns: errors = non-2xx answers + transport failures; RSS (from /proc/<pid>/status) and heap
(process.memoryUsage() via the preloaded src/probe/memory-probe.ts) are peaks over the timed
run. A mix of several URLs runs one hey per URL side by side; req/s is the sum, percentiles are
taken over all requests (merged from each hey's distribution, src/latency.ts).

Each scenario's description (what a row measured, e.g. the login's argon2 cost) is printed under
the table and kept in the JSON file.

Requires hey (apt-get install hey). A full `pnpm bench health` takes about 2 minutes.
Add a scenario: a module in src/scenarios/ (see scenario.ts, health.ts; identity.ts for a POST
target, a setup that logs in, and seeded data), listed in index.ts.
*/
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openPgliteStore, openPostgresStore } from "./database.ts";
import { heyAvailable } from "./hey.ts";
import { type Failure, type Measurement, measureScenario } from "./measure.ts";
import { type NodeRuntime, resolveNode } from "./node-versions.ts";
import { parseOptions } from "./options.ts";
import { installSignalHandlers, onCleanup, runCleanups, ShutdownError } from "./processes.ts";
import { formatTable, writeReport } from "./report.ts";
import type { Scenario } from "./scenario.ts";
import { scenarios } from "./scenarios/index.ts";
import { bootServer, type ServerKind } from "./servers.ts";

/** The comment above is the usage text; printing it from the source keeps one copy. */
function usage(): string {
  const source = readFileSync(fileURLToPath(import.meta.url), "utf8");
  const text = /^\/\*\n([\s\S]*?)\*\//.exec(source)?.[1] ?? "pnpm bench [scenario…] [options]\n";
  return `${text}\nScenarios: ${scenarios.map((s) => s.name).join(", ")}`;
}

function select(names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...scenarios];
  const unknown = names.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`,
    );
  }
  return scenarios.filter((s) => names.includes(s.name));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(usage());
    return 0;
  }
  if (!heyAvailable()) {
    console.error("hey not found: apt-get install hey");
    return 1;
  }
  const selected = select(options.scenarios);
  installSignalHandlers();
  const startedAt = new Date().toISOString();
  const runtimes: NodeRuntime[] = [];
  for (const major of options.node) runtimes.push(await resolveNode(major));
  const store = options.pglite ? await openPgliteStore() : await openPostgresStore(options.databaseUrl);
  onCleanup(() => store.close());
  // The snapshot holds every scenario's data, so one snapshot serves any selection.
  await store.prepare(scenarios);

  const measurements: Measurement[] = [];
  const failures: Failure[] = [];
  for (const node of runtimes) {
    for (const kind of ["ours", "bare"] satisfies ServerKind[]) {
      const label = `[node ${node.version} ${kind}]`;
      // One failure per scenario, node and server: a boot failure fails every scenario not yet recorded.
      const recordFailure = (scenario: Scenario, error: unknown) => {
        const known = failures.some(
          (f) => f.scenario === scenario.name && f.node === node.version && f.server === kind,
        );
        if (!known)
          failures.push({ scenario: scenario.name, node: node.version, server: kind, error: message(error) });
      };
      console.error(`${label} booting on ${store.description}…`);
      const copy = await store.createRun();
      try {
        const server = await bootServer(kind, node, copy, options.server);
        try {
          for (const scenario of selected) {
            try {
              measurements.push(
                ...(await measureScenario(scenario, server, node, options, (line) =>
                  console.error(`${label} ${scenario.name}: ${line}`),
                )),
              );
            } catch (error) {
              if (error instanceof ShutdownError) throw error;
              console.error(`${label} ${scenario.name} failed: ${message(error)}`);
              recordFailure(scenario, error);
            }
          }
        } finally {
          await server.stop();
        }
      } catch (error) {
        if (error instanceof ShutdownError) throw error;
        console.error(`${label} ${message(error)}`);
        for (const scenario of selected) recordFailure(scenario, error);
      } finally {
        await copy.dispose();
      }
    }
  }

  // Scenario, then Node in the order asked (the reported one first), ours above its bare twin.
  const rank = (m: Measurement) => [
    selected.findIndex((s) => s.name === m.scenario),
    runtimes.findIndex((r) => r.version === m.node),
    m.server === "ours" ? 0 : 1,
    m.mode === "closed" ? 0 : 1,
  ];
  measurements.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra.reduce((order, value, i) => order || value - (rb[i] ?? 0), 0);
  });
  console.log(`\n${formatTable(measurements)}`);
  // What each row measured, e.g. the login's hash cost, beside the figures.
  for (const scenario of selected) console.log(`${scenario.name}: ${scenario.description}`);
  for (const failure of failures) {
    console.log(`FAILED ${failure.scenario} on node ${failure.node} (${failure.server}): ${failure.error}`);
  }
  const file = await writeReport({
    startedAt,
    finishedAt: new Date().toISOString(),
    argv: process.argv.slice(2),
    database: store.description,
    scenarios: selected.map(({ name, description }) => ({ name, description })),
    settings: {
      durationMs: options.duration,
      warmupMs: options.warmup,
      concurrency: options.concurrency,
      rate: options.rate,
      rateWorkers: options.rateWorkers,
      server: options.server,
      node: runtimes,
    },
    measurements,
    failures,
  });
  console.log(`\nresults: ${file}`);
  await runCleanups();
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    // After Ctrl-C the signal handler is already cleaning up and will exit.
    if (error instanceof ShutdownError) return;
    console.error(message(error));
    await runCleanups();
    process.exit(1);
  },
);
