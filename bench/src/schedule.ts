import { availableParallelism } from "node:os";
import type { ServerKind } from "./servers.ts";

/** One timed run of a scenario on one server, in the order the bench runs them. */
export interface Cell {
  readonly server: ServerKind;
  /** 1-based: the pair of runs it belongs to. */
  readonly repetition: number;
}

/**
 * Ours, twin, ours, twin…: `repetitions` pairs back to back, so a slow spell of a shared machine
 * (another job, a CPU throttle) lands on both servers instead of on one server's whole series.
 */
export function interleaved(repetitions: number): Cell[] {
  return Array.from({ length: repetitions }, (_, i) =>
    (["ours", "bare"] as const).map((server) => ({ server, repetition: i + 1 })),
  ).flat();
}

/**
 * The fixed rate of a scenario's latency runs: `share` of the lower of the two servers' median
 * saturation, so both run it well below their knee (at 73–86 % of saturation p95 swung 2× between
 * runs), at the same rate so their percentiles compare. At least 1 request/s.
 */
export function fixedRate(saturations: { ours: number; bare: number }, share: number): number {
  return Math.max(1, Math.round(Math.min(saturations.ours, saturations.bare) * share));
}

/**
 * Closed-loop workers: the number asked, or with "auto" the scenario's stated number (`stated`,
 * when its issue names the concurrency of a ratio) or else twice the machine's cores, and at least
 * one per target of a mix. A request in flight holds either the server's one JavaScript thread or
 * a database backend; twice the cores keeps every core busy while a request waits on the other
 * side. Past that point throughput stays flat and each added worker only waits in a queue
 * (latency grows with the workers: Little's law), which is what the fixed-rate runs must not
 * measure either.
 */
export function closedConcurrency(
  option: number | "auto",
  targets: number,
  cores = availableParallelism(),
  stated?: number,
): number {
  return Math.max(targets, option === "auto" ? (stated ?? 2 * cores) : option);
}
