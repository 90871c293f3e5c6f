import { execFileSync } from "node:child_process";
import { spawnTracked } from "./processes.ts";
import type { Headers, Method } from "./scenario.ts";

/** One hey process: a closed loop of `concurrency` workers, each paced to `ratePerWorker` when given. */
export interface HeyLoad {
  readonly url: string;
  /** GET when not given. */
  readonly method?: Method;
  /** JSON text sent with every request (hey cannot vary it). */
  readonly body?: string;
  readonly headers?: Headers;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly ratePerWorker?: number;
}

export interface HeyResult {
  /** Responses received (any status); transport failures are counted in `failures`. */
  readonly responses: number;
  readonly requestsPerSecond: number;
  /** hey's latency distribution in ms, keyed by percentile (10, 25, 50, 75, 90, 95, 99); a
   * percentile is missing when hey had too few samples to reach it. */
  readonly percentilesMs: Readonly<Record<string, number>>;
  readonly fastestMs: number | null;
  readonly slowestMs: number | null;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly non2xx: number;
  readonly failures: number;
  /** A few distinct transport errors, to say why `failures` is not zero. */
  readonly errorSamples: readonly string[];
}

export function heyAvailable(): boolean {
  try {
    execFileSync("which", ["hey"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** hey's command line for one load; a GET load gets the same arguments as before POST existed. */
export function heyArgs(load: HeyLoad): string[] {
  const args = ["-z", `${load.durationMs}ms`, "-c", String(load.concurrency), "-t", "10"];
  if (load.ratePerWorker !== undefined) args.push("-q", load.ratePerWorker.toFixed(3));
  if (load.method && load.method !== "GET") args.push("-m", load.method);
  if (load.body !== undefined) args.push("-T", "application/json", "-d", load.body);
  for (const [name, value] of Object.entries(load.headers ?? {})) args.push("-H", `${name}: ${value}`);
  args.push(load.url);
  return args;
}

/** hey rounds to 0.1 ms; a -z run stops within one request of the end, so the kill timer only catches hangs. */
export async function runHey(load: HeyLoad): Promise<HeyResult> {
  const args = heyArgs(load);
  const { code, stdout, stderr } = await spawnTracked("hey", args, { timeoutMs: load.durationMs + 30_000 });
  if (code !== 0) throw new Error(`hey exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  return parseHeySummary(stdout);
}

type Section = "other" | "latency" | "status" | "errors";

/** Parses hey's text summary (hey 0.1.4); its CSV output omits transport errors, so it cannot count failures. */
export function parseHeySummary(text: string): HeyResult {
  const percentilesMs: Record<string, number> = {};
  const statusCounts: Record<string, number> = {};
  const errorSamples: string[] = [];
  let failures = 0;
  let requestsPerSecond = 0;
  let slowestMs: number | null = null;
  let fastestMs: number | null = null;
  let section: Section = "other";
  for (const line of text.split("\n")) {
    if (/^Latency distribution:/.test(line)) section = "latency";
    else if (/^Status code distribution:/.test(line)) section = "status";
    else if (/^Error distribution:/.test(line)) section = "errors";
    else if (/^\S/.test(line)) section = "other";
    const rps = /^\s*Requests\/sec:\s+([\d.]+)/.exec(line);
    if (rps?.[1]) requestsPerSecond = Number(rps[1]);
    const slowest = /^\s*Slowest:\s+([\d.]+) secs/.exec(line);
    if (slowest?.[1]) slowestMs = Number(slowest[1]) * 1000;
    const fastest = /^\s*Fastest:\s+([\d.]+) secs/.exec(line);
    if (fastest?.[1]) fastestMs = Number(fastest[1]) * 1000;
    if (section === "latency") {
      const match = /^\s*(\d+)% in ([\d.]+) secs/.exec(line);
      // hey prints "0% in 0.0000 secs" for a percentile it has too few samples to reach.
      if (match?.[1] && match[2] && Number(match[1]) > 0) percentilesMs[match[1]] = Number(match[2]) * 1000;
    } else if (section === "status") {
      const match = /^\s*\[(\d+)\]\s+(\d+) responses/.exec(line);
      if (match?.[1] && match[2]) statusCounts[match[1]] = Number(match[2]);
    } else if (section === "errors") {
      const match = /^\s*\[(\d+)\]\s+(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) {
        failures += Number(match[1]);
        if (errorSamples.length < 3) errorSamples.push(match[2]);
      }
    }
  }
  const responses = Object.values(statusCounts).reduce((sum, n) => sum + n, 0);
  const non2xx = Object.entries(statusCounts)
    .filter(([status]) => !status.startsWith("2"))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    responses,
    requestsPerSecond: responses > 0 ? requestsPerSecond : 0,
    percentilesMs,
    fastestMs: responses > 0 ? fastestMs : null,
    slowestMs: responses > 0 ? slowestMs : null,
    statusCounts,
    non2xx,
    failures,
    errorSamples,
  };
}
