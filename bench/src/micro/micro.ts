import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { NodeRuntime } from "../node-versions.ts";
import { spawnTracked } from "../processes.ts";
import type { TargetCheck } from "../targets.ts";

/**
 * A pure function timed in process, without a server: the per-call targets that a load
 * test cannot isolate (slots.generate: < 5 ms per doctor-month).
 */
export interface MicroBenchmark {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  /** Target: the median below this many milliseconds. */
  readonly targetMs: number;
  /** Builds the input once, untimed; the returned call is timed, and returns a count to check. */
  prepare(): () => number;
}

export const MicroResult = z.object({
  name: z.string(),
  node: z.string(),
  unit: z.string(),
  targetMs: z.number(),
  runs: z.number().int(),
  medianMs: z.number(),
  p10Ms: z.number(),
  p90Ms: z.number(),
  /** What one call returned (slots offered): the same on every Node, or they did different work. */
  output: z.number(),
});
export type MicroResult = z.infer<typeof MicroResult>;

const WARMUP_RUNS = 300;
const TIMED_RUNS = 2_000;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

/** Times one benchmark in this process: a warm-up for the JIT, then every call timed on its own. */
export function runMicro(benchmark: MicroBenchmark, runs = TIMED_RUNS, warmup = WARMUP_RUNS): MicroResult {
  const call = benchmark.prepare();
  let output = 0;
  for (let i = 0; i < warmup; i++) output = call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    output = call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    name: benchmark.name,
    node: process.version,
    unit: benchmark.unit,
    targetMs: benchmark.targetMs,
    runs,
    medianMs: percentile(times, 0.5),
    p10Ms: percentile(times, 0.1),
    p90Ms: percentile(times, 0.9),
    output,
  };
}

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
// An absolute URL, so `--import` resolves the same file whatever the Node version.
const TSX_LOADER = import.meta.resolve("tsx");

/** Runs every micro-benchmark in a fresh process of `node` (src/micro/child.ts under tsx). */
export async function measureMicro(node: NodeRuntime): Promise<MicroResult[]> {
  const result = await spawnTracked(node.execPath, ["--import", TSX_LOADER, CHILD], { timeoutMs: 300_000 });
  if (result.code !== 0)
    throw new Error(
      `micro-benchmarks on node ${node.version} failed (exit ${result.code}): ${result.stderr.trim()}`,
    );
  return z.array(MicroResult).parse(JSON.parse(result.stdout));
}

export function microTargets(results: readonly MicroResult[], node: string): TargetCheck[] {
  return results
    .filter((r) => r.node === node)
    .map((r) => ({
      what: `${r.name}, median`,
      target: `< ${r.targetMs} ms`,
      measured: `${r.medianMs.toFixed(3)} ${r.unit}`,
      met: r.medianMs < r.targetMs,
    }));
}
