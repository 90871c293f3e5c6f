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

function setupContext(baseUrl: string): SetupContext {
  return {
    baseUrl,
    async getJson(path: string, headers?: Headers) {
      const response = await fetch(`${baseUrl}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
      const body: unknown = await response.json().catch(() => null);
      if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body)}`);
      return body;
    },
  };
}

/** One request per target before any load: a 404 or 500 should stop the scenario, not fill a table. */
async function preflight(baseUrl: string, targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    const response = await fetch(`${baseUrl}${target.path}`, {
      headers: target.headers,
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    if (!response.ok)
      throw new Error(`GET ${target.path} answered ${response.status}: ${body.slice(0, 200)}`);
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
  const sampler = sampleMemory(server.process);
  const results = await drive(server.baseUrl, targets, mode, options.duration, options).catch(
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
    load: mode === "closed" ? `c=${options.concurrency}` : `${options.rate}/s`,
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
  log(`warm-up ${options.warmup} ms`);
  await drive(server.baseUrl, targets, "closed", options.warmup, options);
  const rows: Measurement[] = [];
  for (const mode of ["closed", "fixed"] as const) {
    await sleep(500);
    log(
      `${mode} ${mode === "closed" ? `c=${options.concurrency}` : `${options.rate}/s`} for ${options.duration} ms`,
    );
    rows.push(await timedRun(scenario, server, node, targets, mode, options));
  }
  return rows;
}
