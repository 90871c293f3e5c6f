/*
pnpm bench [scenario…] [options]

Load-tests the server against a bare baseline (API-CONTRACT §8). For each Node version it boots
our server (the compiled apps/server/dist/main.js on plain node, NODE_ENV=production,
LOG_LEVEL=warn, 127.0.0.1, a free port) and its bare twin (node:http + postgres-js, or PGlite,
running the same SQL) side by side, each on its own fresh copy of a snapshot database, and
measures every scenario on both, alternating between them. Prints one table, the start times
and the targets, and writes everything to bench/results/<timestamp>.json (git-ignored).

Each scenario, after a check request and an untimed warm-up of both servers, runs three series,
each as --repeat pairs of timed runs alternating ours, twin, ours, twin… (so a slow spell of a
shared machine hits both, not one series):
  closed   a fixed number of workers, as fast as the server answers: saturation req/s. ours/bare
           is the ratio of the medians, with the spread of the per-pair ratios
  fixed    a fixed rate for latency p50/p95/p99, --rate-share (default half) of the lower median
           saturation of the two, the same rate for both: well below the knee, where a p95 means
           latency and not a queue. --rate-workers single-connection hey processes share it,
           started 1/rate apart so their requests interleave
  fixed    doctors.search, appointments.mine and records.read again at 300/s, the rate their p95
           targets (or, for records.read, its p95 for the record) are stated at
           (Scenario.compareAt); appointments.mine's page 500 ÷ page 1 latency is taken there
           (Scenario.latencyRatio)
Every figure is the median of its repetitions with the spread (min–max) in brackets.

A race scenario (appointments.book) runs instead as --repeat races per server: a second process
of ours and of the twin boots on the same database (PostgreSQL only; skipped with --pglite), the
scenario prepares its requests (sign-ins, a fresh slot), then fires them all at once; the table of
races prints each race's answers and wall time, and the target is its exact number of successes.

Realtime scenarios (notifications.idle-heap, .broadcast, .cross-instance; src/realtime/, decision
0038) hold sockets instead: each boots servers of its own on a fresh copy (PostgreSQL only), seeds
one subscriber account per socket, opens --sockets sockets from a client process per transport
(tRPC, the plain socket, the twin's bare `ws`), and prints a table of its own: heap per idle socket
after GC, the time from a role announcement to its last delivery, the p95 from a POST on one
instance to the delivery on another's sockets per event bus. A transport answering 404 is "n/a".

Before the load, ours is started --start-runs times on a copy of a migrated PGlite folder and on
an empty one (migrations first), timed from spawn to the first 200 of GET /api/v1/health. Then the
micro-benchmarks (src/micro/: pure functions with a per-call target, e.g. slots.generate per
doctor-month) run in a fresh process of each Node version; `pnpm bench:micro` runs them alone.

Options
  scenario…           scenarios to run, by name (default: all of src/scenarios/index.ts)
  --pglite            run on embedded PGlite instead of PostgreSQL
  --node 24,20        Node majors to run the servers on, first one is the reported figure
                      (default 24,20; --node 20 for a quick run). A major other than the running
                      Node is fetched once with `npx -y node@<major>`.
  --duration 10s      length of each timed run (ms, s or m; at most 5m)
  --warmup 2s         untimed closed-loop warm-up per scenario and server
  --repeat 3          pairs of timed runs per series (ours and twin each run this many times)
  --concurrency auto  closed-loop workers: auto = 2 × the cores (at least one per URL of a mix;
                      more only queue, src/schedule.ts), or the scenario's own when its issue states
                      the concurrency of its ratio (records.read: 32)
  --rate-share 0.5    fixed rate as a share of the lower median saturation of ours and the twin
  --rate-workers 10   hey processes sharing a fixed rate (one connection each)
  --start-runs 3      start-time runs per kind of data folder (0: none)
  --max-old-space 256 ours' --max-old-space-size in MiB (default: the production command's), to see
                      a figure past an out-of-memory; the table then is not production's
  --sockets 10000     sockets per server in the realtime scenarios (cross-instance: at most 1,000);
                      e.g. 1000 for a quick check
  --server <file>     entry to bench instead of apps/server/dist/main.js (rebuilt with `pnpm build`
                      when missing or stale): a .js file runs on plain node, a .ts file under tsx (e.g. an
                      old commit's apps/server/src/main.ts, for a before/after table)
  -h, --help          this text

Environment
  BENCH_DATABASE_URL  PostgreSQL admin URL (default postgres://postgres@127.0.0.1:5432/postgres).
                      The bench keeps a snapshot database medbench_tpl (rebuilt when a migration
                      or a scenario's data version changes) and copies it to medbench_run_ours and
                      medbench_run_bare with CREATE DATABASE … TEMPLATE for every boot; the copies
                      are dropped at the end and on Ctrl-C. Realtime scenarios alone use a
                      migrations-only snapshot, medbench_tpl_migrated. One bench at a time per
                      PostgreSQL (advisory lock). With --pglite the snapshot is a data folder in
                      bench/.data/.
  BENCH_REDIS_URL     Redis for notifications.cross-instance's redis bus, on a channel of its own
                      (default redis://127.0.0.1:6379)

Columns: errors = non-2xx answers + transport failures over the repetitions; RSS (from
/proc/<pid>/status) and heap (process.memoryUsage() via the preloaded src/probe/memory-probe.ts)
are peaks over the repetitions. A mix of several URLs runs one hey per URL side by side; req/s is
the sum, percentiles are taken over all requests (merged from each hey's distribution,
src/latency.ts).

Each scenario's description (what a row measured, e.g. the login's argon2 cost) is printed under
the table and kept in the JSON file.

Requires hey (apt-get install hey). A full `pnpm bench health --node 24` takes about 3 minutes.
Add a scenario: a module in src/scenarios/ (see scenario.ts, health.ts; identity.ts for a POST
target, a setup that logs in, and seeded data), listed in index.ts.
*/
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openPgliteStore, openPostgresStore, type RunCopy } from "./database.ts";
import { heyAvailable } from "./hey.ts";
import { type Failure, type Measurement, measureScenario } from "./measure.ts";
import { microBenchmarks } from "./micro/index.ts";
import { type MicroResult, measureMicro, microTargets } from "./micro/micro.ts";
import { type NodeRuntime, resolveNode } from "./node-versions.ts";
import { parseOptions } from "./options.ts";
import { installSignalHandlers, onCleanup, runCleanups, ShutdownError } from "./processes.ts";
import { formatRaces, type RaceResult, raceTargets, runRace } from "./race.ts";
import { formatRealtime, type RealtimeResult } from "./realtime/realtime.ts";
import { aggregate, formatMicro, formatStartTimes, formatTable, writeReport } from "./report.ts";
import type { Race, Scenario } from "./scenario.ts";
import { scenarios } from "./scenarios/index.ts";
import { type BootedServer, bootServer, ensureBuilt, type ServerKind } from "./servers.ts";
import { measureStartTimes, type StartTimes } from "./startup.ts";
import { checkTargets, formatTargets, latencyRatioTargets } from "./targets.ts";

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
  await ensureBuilt(options.server);

  const startTimes: StartTimes[] = [];
  if (options.startRuns > 0) {
    for (const node of runtimes) {
      startTimes.push(
        ...(await measureStartTimes(node, options.server, options.startRuns, (line) =>
          console.error(`[node ${node.version} ours] ${line}`),
        )),
      );
    }
  }

  const micro: MicroResult[] = [];
  for (const node of runtimes) micro.push(...(await measureMicro(node)));

  const store = options.pglite ? await openPgliteStore() : await openPostgresStore(options.databaseUrl);
  onCleanup(() => store.close());
  // The snapshot holds every scenario's data, so one snapshot serves any selection; realtime
  // scenarios seed their own subscribers, so a run of those alone takes a migrations-only one.
  const loads = selected.filter((scenario) => !scenario.realtime);
  await store.prepare(loads.length > 0 ? scenarios : []);

  const measurements: Measurement[] = [];
  const failures: Failure[] = [];
  const races: RaceResult[] = [];
  const realtime: RealtimeResult[] = [];
  for (const node of runtimes) {
    const label = `[node ${node.version}]`;
    /**
     * A race needs two processes of each server on one database: a second one of each is booted on
     * the same copies, and stopped after. PGlite serves one process only: races run on PostgreSQL.
     */
    const raceScenario = async (
      scenario: Scenario,
      race: Race,
      first: Readonly<Record<ServerKind, BootedServer>>,
      copies: { oursCopy: RunCopy; bareCopy: RunCopy },
    ): Promise<RaceResult[]> => {
      const log = (line: string) => console.error(`${label} ${scenario.name}: ${line}`);
      if (store.kind === "pglite") {
        log("skipped: a race needs two server processes on one database, so PostgreSQL");
        return [];
      }
      const second: BootedServer[] = [];
      try {
        log("booting a second process of ours and of the twin on the same databases…");
        const ours = await bootServer({
          kind: "ours",
          node,
          copy: copies.oursCopy,
          serverEntry: options.server,
          maxOldSpaceMiB: options.maxOldSpace,
        });
        second.push(ours);
        const bare = await bootServer({
          kind: "bare",
          node,
          copy: copies.bareCopy,
          serverEntry: options.server,
          maxOldSpaceMiB: options.maxOldSpace,
        });
        second.push(bare);
        return await runRace(
          scenario,
          race,
          { ours: [first.ours, ours], bare: [first.bare, bare] },
          node,
          options.repeat,
          log,
        );
      } catch (error) {
        if (error instanceof ShutdownError) throw error;
        log(`failed: ${message(error)}`);
        failures.push({ scenario: scenario.name, node: node.version, error: message(error) });
        return [];
      } finally {
        for (const server of second) await server.stop();
      }
    };
    /** Realtime scenarios boot servers of their own (a clean heap, two instances, a bus each). */
    for (const scenario of selected) {
      if (!scenario.realtime) continue;
      const log = (line: string) => console.error(`${label} ${scenario.name}: ${line}`);
      if (store.kind === "pglite") {
        log("skipped: the realtime scenarios run on PostgreSQL (two instances, LISTEN/NOTIFY)");
        continue;
      }
      try {
        realtime.push(
          ...(await scenario.realtime.run({
            scenario: scenario.name,
            node,
            store,
            serverEntry: options.server,
            maxOldSpaceMiB: options.maxOldSpace,
            sockets: options.sockets,
            durationMs: options.duration,
            log,
          })),
        );
      } catch (error) {
        if (error instanceof ShutdownError) throw error;
        log(`failed: ${message(error)}`);
        failures.push({ scenario: scenario.name, node: node.version, error: message(error) });
      }
    }
    if (loads.length === 0) continue;
    const copies: RunCopy[] = [];
    const booted: BootedServer[] = [];
    try {
      console.error(`${label} booting ours and the twin on ${store.description}…`);
      const oursCopy = await store.createRun("ours");
      copies.push(oursCopy);
      const bareCopy = await store.createRun("bare");
      copies.push(bareCopy);
      const ours = await bootServer({
        kind: "ours",
        node,
        copy: oursCopy,
        serverEntry: options.server,
        maxOldSpaceMiB: options.maxOldSpace,
      });
      booted.push(ours);
      const bare = await bootServer({ kind: "bare", node, copy: bareCopy, serverEntry: options.server });
      booted.push(bare);
      for (const scenario of loads) {
        if (scenario.race) {
          races.push(
            ...(await raceScenario(scenario, scenario.race, { ours, bare }, { oursCopy, bareCopy })),
          );
          continue;
        }
        try {
          measurements.push(
            ...(await measureScenario(scenario, { ours, bare }, node, options, (line) =>
              console.error(`${label} ${scenario.name}: ${line}`),
            )),
          );
        } catch (error) {
          if (error instanceof ShutdownError) throw error;
          console.error(`${label} ${scenario.name} failed: ${message(error)}`);
          failures.push({ scenario: scenario.name, node: node.version, error: message(error) });
        }
      }
    } catch (error) {
      if (error instanceof ShutdownError) throw error;
      console.error(`${label} ${message(error)}`);
      // A boot failure fails every scenario not yet recorded on this Node.
      for (const scenario of loads) {
        if (!failures.some((f) => f.scenario === scenario.name && f.node === node.version))
          failures.push({ scenario: scenario.name, node: node.version, error: message(error) });
      }
    } finally {
      for (const server of booted) await server.stop();
      for (const copy of copies) await copy.dispose();
    }
  }

  // Scenario, then Node in the order asked (the reported one first), ours above its bare twin.
  const rank = (m: Measurement) => [
    selected.findIndex((s) => s.name === m.scenario),
    runtimes.findIndex((r) => r.version === m.node),
    m.mode === "closed" ? 0 : 1,
    Number.parseFloat(m.load.replace(/^c=/, "")),
    m.server === "ours" ? 0 : 1,
    m.repetition,
  ];
  measurements.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra.reduce((order, value, i) => order || value - (rb[i] ?? 0), 0);
  });
  const rows = aggregate(measurements);
  const reported = runtimes[0]?.version ?? "";
  const targets = [
    ...checkTargets(selected, rows, startTimes, reported),
    ...raceTargets(selected, races, reported),
    ...latencyRatioTargets(selected, measurements, reported),
    ...microTargets(micro, reported),
    ...selected.flatMap(
      (scenario) =>
        scenario.realtime?.targets(
          realtime.filter((r) => r.scenario === scenario.name && r.node === reported),
        ) ?? [],
    ),
  ];
  if (rows.length > 0)
    console.log(`
${formatTable(rows)}`);
  if (races.length > 0)
    console.log(`
${formatRaces(races)}`);
  if (realtime.length > 0) console.log(`\n${formatRealtime(realtime)}`);
  if (startTimes.length > 0) console.log(`\n${formatStartTimes(startTimes)}`);
  console.log(`\n${formatMicro(micro)}`);
  console.log(`\nTargets (node ${reported}, against the twin of the same run):\n${formatTargets(targets)}\n`);
  // What each row measured, e.g. the login's hash cost, beside the figures.
  for (const scenario of selected) console.log(`${scenario.name}: ${scenario.description}`);
  for (const benchmark of microBenchmarks) console.log(`${benchmark.name}: ${benchmark.description}`);
  for (const failure of failures)
    console.log(`FAILED ${failure.scenario} on node ${failure.node}: ${failure.error}`);
  const file = await writeReport(
    {
      startedAt,
      finishedAt: new Date().toISOString(),
      argv: process.argv.slice(2),
      database: store.description,
      scenarios: selected.map(({ name, description }) => ({ name, description })),
      settings: {
        durationMs: options.duration,
        warmupMs: options.warmup,
        repeat: options.repeat,
        concurrency: options.concurrency,
        rateShare: options.rateShare,
        rateWorkers: options.rateWorkers,
        startRuns: options.startRuns,
        sockets: options.sockets,
        maxOldSpaceMiB: options.maxOldSpace,
        server: options.server,
        node: runtimes,
      },
      measurements,
      races,
      realtime,
      startTimes,
      micro,
      failures,
    },
    rows,
    targets,
  );
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
