import { setTimeout as sleep } from "node:timers/promises";
import { type HeyResult, runHey } from "./hey.ts";
import { mergedPercentile } from "./latency.ts";
import { type MemoryPeaks, sampleMemory } from "./memory.ts";
import type { NodeRuntime } from "./node-versions.ts";
import type { BenchOptions } from "./options.ts";
import type { Headers, Scenario, SetupContext, Target } from "./scenario.ts";
import { type Cell, closedConcurrency, fixedRate, interleaved } from "./schedule.ts";
import type { BootedServer, ServerKind } from "./servers.ts";
import { summarize } from "./stats.ts";

export type Mode = "closed" | "fixed";

/** One timed run: one scenario, one server, one mode, one repetition. */
export interface Measurement {
  readonly scenario: string;
  readonly node: string;
  readonly server: ServerKind;
  readonly mode: Mode;
  /** `c=4` or `150/s`. */
  readonly load: string;
  readonly repetition: number;
  readonly requestsPerSecond: number;
  /** Over every hey process of the run (see latency.ts); ms. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  /** Non-2xx answers plus transport failures. */
  readonly errors: number;
  readonly memory: MemoryPeaks;
  readonly targets: readonly TargetResult[];
}

/** One target's hey runs of a timed run (several when processes share a fixed rate). */
export interface TargetResult {
  readonly path: string;
  readonly label?: string;
  readonly result: HeyResult;
}

export interface Failure {
  readonly scenario: string;
  readonly node: string;
  readonly error: string;
}

/** Both servers of one Node version, booted side by side, so their runs can alternate. */
export type ServerPair = Readonly<Record<ServerKind, BootedServer>>;

interface Load {
  readonly concurrency: number;
  readonly rate: number;
  readonly rateWorkers: number;
}

/** The request hey sends for a target, as fetch options: setup and preflight send the same. */
export function requestInit(target: Target): RequestInit {
  const json: Headers = target.body === undefined ? {} : { "content-type": "application/json" };
  return {
    method: target.method ?? "GET",
    headers: { ...json, ...target.headers },
    body: target.body,
    signal: AbortSignal.timeout(10_000),
  };
}

async function fetchJson(baseUrl: string, target: Target): Promise<unknown> {
  const response = await fetch(`${baseUrl}${target.path}`, requestInit(target));
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok)
    throw new Error(
      `${target.method ?? "GET"} ${target.path} answered ${response.status}: ${JSON.stringify(body)}`,
    );
  return body;
}

export function setupContext(baseUrl: string): SetupContext {
  return {
    baseUrl,
    getJson: (path: string, headers?: Headers) => fetchJson(baseUrl, { path, headers }),
    postJson: (path: string, body: unknown, headers?: Headers) =>
      fetchJson(baseUrl, { path, method: "POST", body: JSON.stringify(body), headers }),
  };
}

/** One request per target before any load: a 404 or 500 should stop the scenario, not fill a table. */
async function preflight(baseUrl: string, targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    const response = await fetch(`${baseUrl}${target.path}`, requestInit(target));
    const body = await response.text();
    if (!response.ok)
      throw new Error(
        `${target.method ?? "GET"} ${target.path} answered ${response.status}: ${body.slice(0, 200)}`,
      );
  }
}

interface Run {
  readonly target: Target;
  readonly concurrency: number;
  readonly ratePerWorker?: number;
}

/**
 * The hey processes of one load. Closed loop: one per target with its share of the workers.
 * Fixed rate: `rateWorkers` single-connection processes split over the targets, because the
 * workers inside one hey start their -q tickers together and fire in bursts (measured here:
 * -c 20 -q 15 → p50 6 ms, 20 staggered -c 1 -q 15 → p50 0.4 ms on the same bare server).
 */
function plan(targets: readonly Target[], mode: Mode, load: Load): Run[] {
  const share = (total: number) => Math.max(1, Math.round(total / targets.length));
  if (mode === "closed") return targets.map((target) => ({ target, concurrency: share(load.concurrency) }));
  const processes = share(load.rateWorkers);
  const ratePerWorker = load.rate / targets.length / processes;
  return targets.flatMap((target) =>
    Array.from({ length: processes }, () => ({ target, concurrency: 1, ratePerWorker })),
  );
}

/** Starts the planned hey processes side by side; fixed-rate ones 1/rate apart so their ticks interleave. */
async function drive(
  baseUrl: string,
  targets: readonly Target[],
  mode: Mode,
  durationMs: number,
  load: Load,
): Promise<TargetResult[]> {
  const runs = plan(targets, mode, load);
  const staggerMs = mode === "fixed" ? 1000 / load.rate : 0;
  const started: Promise<TargetResult>[] = [];
  for (const run of runs) {
    started.push(
      runHey({
        url: `${baseUrl}${run.target.path}`,
        method: run.target.method,
        body: run.target.body,
        headers: run.target.headers,
        concurrency: run.concurrency,
        durationMs,
        ratePerWorker: run.ratePerWorker,
      }).then((result) => ({ path: run.target.path, label: run.target.label, result })),
    );
    if (staggerMs > 0) await sleep(staggerMs);
  }
  return Promise.all(started);
}

interface Runner {
  readonly scenario: Scenario;
  readonly servers: ServerPair;
  readonly targets: Readonly<Record<ServerKind, readonly Target[]>>;
  readonly node: NodeRuntime;
  readonly options: BenchOptions;
  readonly log: (line: string) => void;
}

async function timedRun(runner: Runner, cell: Cell, mode: Mode, load: Load): Promise<Measurement> {
  const server = runner.servers[cell.server];
  const label = mode === "closed" ? `c=${load.concurrency}` : `${load.rate}/s`;
  runner.log(`${cell.server} ${mode} ${label} #${cell.repetition} for ${runner.options.duration} ms`);
  const sampler = sampleMemory(server.process);
  const results = await drive(
    server.baseUrl,
    runner.targets[cell.server],
    mode,
    runner.options.duration,
    load,
  ).catch(async (error: unknown) => {
    await sampler.stop(); // no sampler outlives its run
    throw error;
  });
  const memory = await sampler.stop();
  const all = results.map((r) => r.result);
  return {
    scenario: runner.scenario.name,
    node: runner.node.version,
    server: cell.server,
    mode,
    load: label,
    repetition: cell.repetition,
    requestsPerSecond: all.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    p50Ms: mergedPercentile(all, 50),
    p95Ms: mergedPercentile(all, 95),
    p99Ms: mergedPercentile(all, 99),
    errors: all.reduce((sum, r) => sum + r.non2xx + r.failures, 0),
    memory,
    targets: results,
  };
}

/** Every cell of one mode and load, ours and the twin alternating; a pause lets sockets settle between runs. */
async function runInterleaved(runner: Runner, mode: Mode, load: Load): Promise<Measurement[]> {
  const rows: Measurement[] = [];
  for (const cell of interleaved(runner.options.repeat)) {
    await sleep(500);
    rows.push(await timedRun(runner, cell, mode, load));
  }
  return rows;
}

const medianRate = (rows: readonly Measurement[], server: ServerKind) =>
  summarize(rows.filter((row) => row.server === server).map((row) => row.requestsPerSecond))?.median ?? 0;

/**
 * One scenario on both servers: setup and a check request on each, an untimed warm-up (JIT,
 * pools) of each, then the closed-loop cells (saturation), the fixed-rate cells at `rateShare`
 * of the lower median saturation, and the scenario's comparison rate if it has one — every series
 * ours, twin, ours, twin….
 */
export async function measureScenario(
  scenario: Scenario,
  servers: ServerPair,
  node: NodeRuntime,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Measurement[]> {
  const targetsOf = async (server: BootedServer) => {
    const targets = scenario.setup ? await scenario.setup(setupContext(server.baseUrl)) : scenario.targets;
    if (targets.length === 0) throw new Error("the scenario has no targets");
    await preflight(server.baseUrl, targets);
    return targets;
  };
  const targets = { ours: await targetsOf(servers.ours), bare: await targetsOf(servers.bare) };
  const runner: Runner = { scenario, servers, targets, node, options, log };
  const concurrency = closedConcurrency(
    options.concurrency,
    targets.ours.length,
    undefined,
    scenario.concurrency,
  );
  const base = { concurrency, rateWorkers: options.rateWorkers };
  for (const server of ["ours", "bare"] as const) {
    log(`${server} warm-up ${options.warmup} ms`);
    await drive(servers[server].baseUrl, targets[server], "closed", options.warmup, { ...base, rate: 1 });
  }
  const closed = await runInterleaved(runner, "closed", { ...base, rate: 1 });
  const rate = fixedRate(
    { ours: medianRate(closed, "ours"), bare: medianRate(closed, "bare") },
    options.rateShare,
  );
  const fixed = await runInterleaved(runner, "fixed", { ...base, rate });
  const compared =
    scenario.compareAt && scenario.compareAt.rate !== rate
      ? await runInterleaved(runner, "fixed", { ...base, rate: scenario.compareAt.rate })
      : [];
  return [...closed, ...fixed, ...compared];
}
