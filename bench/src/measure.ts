import { setTimeout as sleep } from "node:timers/promises";
import { type HeyResult, runHey } from "./hey.ts";
import { mergedPercentile } from "./latency.ts";
import { type MemoryPeaks, sampleMemory } from "./memory.ts";
import type { NodeRuntime } from "./node-versions.ts";
import type { BenchOptions } from "./options.ts";
import type { Headers, Scenario, SetupContext, Target } from "./scenario.ts";
import type { BootedServer, ServerKind } from "./servers.ts";

export type Mode = "closed" | "fixed";

export interface Measurement {
  readonly scenario: string;
  readonly node: string;
  readonly server: ServerKind;
  readonly mode: Mode;
  /** `c=32` or `300/s`. */
  readonly load: string;
  readonly requestsPerSecond: number;
  /** Over every hey process of the run (see latency.ts); ms. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  /** Non-2xx answers plus transport failures. */
  readonly errors: number;
  readonly memory: MemoryPeaks;
  readonly targets: readonly { readonly path: string; readonly result: HeyResult }[];
}

export interface Failure {
  readonly scenario: string;
  readonly node: string;
  readonly server: ServerKind;
  readonly error: string;
}

type LoadOptions = Pick<BenchOptions, "concurrency" | "rate" | "rateWorkers">;

/** The request hey sends for a target, as fetch options: setup and preflight send the same. */
function requestInit(target: Target): RequestInit {
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

function setupContext(baseUrl: string): SetupContext {
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

/** --rate, lowered to the scenario's ceiling when it has one (see Scenario.maxRate). */
function loadFor(scenario: Scenario, options: BenchOptions): LoadOptions {
  const rate = Math.min(options.rate, scenario.maxRate ?? options.rate);
  return { concurrency: options.concurrency, rate, rateWorkers: options.rateWorkers };
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
function plan(targets: readonly Target[], mode: Mode, load: LoadOptions): Run[] {
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
  load: LoadOptions,
): Promise<{ path: string; result: HeyResult }[]> {
  const runs = plan(targets, mode, load);
  const staggerMs = mode === "fixed" ? 1000 / load.rate : 0;
  const started: Promise<{ path: string; result: HeyResult }>[] = [];
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
      }).then((result) => ({ path: run.target.path, result })),
    );
    if (staggerMs > 0) await sleep(staggerMs);
  }
  return Promise.all(started);
}

async function timedRun(
  scenario: Scenario,
  server: BootedServer,
  node: NodeRuntime,
  targets: readonly Target[],
  mode: Mode,
  options: BenchOptions,
): Promise<Measurement> {
  const load = loadFor(scenario, options);
  const sampler = sampleMemory(server.process);
  const results = await drive(server.baseUrl, targets, mode, options.duration, load).catch(
    async (error: unknown) => {
      await sampler.stop(); // no sampler outlives its run
      throw error;
    },
  );
  const memory = await sampler.stop();
  const all = results.map((r) => r.result);
  return {
    scenario: scenario.name,
    node: node.version,
    server: server.kind,
    mode,
    load: mode === "closed" ? `c=${load.concurrency}` : `${load.rate}/s`,
    requestsPerSecond: all.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    p50Ms: mergedPercentile(all, 50),
    p95Ms: mergedPercentile(all, 95),
    p99Ms: mergedPercentile(all, 99),
    errors: all.reduce((sum, r) => sum + r.non2xx + r.failures, 0),
    memory,
    targets: results,
  };
}

/** Setup, a check request, an untimed warm-up (JIT, pools), then the closed-loop and the fixed-rate runs. */
export async function measureScenario(
  scenario: Scenario,
  server: BootedServer,
  node: NodeRuntime,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<Measurement[]> {
  const targets = scenario.setup ? await scenario.setup(setupContext(server.baseUrl)) : scenario.targets;
  if (targets.length === 0) throw new Error("the scenario has no targets");
  await preflight(server.baseUrl, targets);
  const load = loadFor(scenario, options);
  log(`warm-up ${options.warmup} ms`);
  await drive(server.baseUrl, targets, "closed", options.warmup, load);
  const rows: Measurement[] = [];
  for (const mode of ["closed", "fixed"] as const) {
    await sleep(500);
    log(
      `${mode} ${mode === "closed" ? `c=${load.concurrency}` : `${load.rate}/s`} for ${options.duration} ms`,
    );
    rows.push(await timedRun(scenario, server, node, targets, mode, options));
  }
  return rows;
}
