import { mkdir, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Failure, Measurement, Mode } from "./measure.ts";
import type { MicroResult } from "./micro/micro.ts";
import type { RaceResult } from "./race.ts";
import type { RealtimeResult } from "./realtime/realtime.ts";
import type { ServerKind } from "./servers.ts";
import type { StartTimes } from "./startup.ts";
import { formatSummary, type Summary, summarize } from "./stats.ts";

export interface Report {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly argv: readonly string[];
  readonly database: string;
  readonly scenarios: readonly { readonly name: string; readonly description: string }[];
  readonly settings: Readonly<Record<string, unknown>>;
  readonly measurements: readonly Measurement[];
  /** One-shot races (src/race.ts). */
  readonly races: readonly RaceResult[];
  /** Socket figures (src/realtime/). */
  readonly realtime: readonly RealtimeResult[];
  readonly startTimes: readonly StartTimes[];
  readonly micro: readonly MicroResult[];
  readonly failures: readonly Failure[];
}

/** One line of the table: a cell's repetitions taken together. */
export interface Row {
  readonly scenario: string;
  readonly node: string;
  readonly server: ServerKind;
  readonly mode: Mode;
  readonly load: string;
  readonly requestsPerSecond: Summary;
  readonly p50Ms: Summary | null;
  readonly p95Ms: Summary | null;
  readonly p99Ms: Summary | null;
  readonly errors: number;
  /** Peaks over every repetition. */
  readonly rssMiB: number | null;
  readonly heapUsedMiB: number | null;
  /**
   * Ours ÷ twin on closed-loop rows: the median is the ratio of the medians; the spread is that
   * of the ratios of each pair (ours and the twin run back to back).
   */
  readonly ratio: Summary | null;
}

const RESULTS_DIR = fileURLToPath(new URL("../results", import.meta.url));

const values = (rows: readonly Measurement[], pick: (m: Measurement) => number | null) =>
  rows.map(pick).filter((value): value is number => value !== null);

const peak = (rows: readonly Measurement[], pick: (m: Measurement) => number | null) => {
  const found = values(rows, pick);
  return found.length > 0 ? Math.max(...found) : null;
};

const cellKey = (m: Pick<Measurement, "scenario" | "node" | "server" | "mode" | "load">) =>
  [m.scenario, m.node, m.server, m.mode, m.load].join("\u0000");

/** Ours ÷ twin for each repetition both have, and the ratio of their medians. */
function ratioOf(ours: readonly Measurement[], bare: readonly Measurement[]): Summary | null {
  const oursMedian = summarize(values(ours, (m) => m.requestsPerSecond));
  const bareMedian = summarize(values(bare, (m) => m.requestsPerSecond));
  if (!oursMedian || !bareMedian || bareMedian.median <= 0) return null;
  const pairs = ours.flatMap((o) => {
    const b = bare.find((m) => m.repetition === o.repetition);
    return b && b.requestsPerSecond > 0 ? [o.requestsPerSecond / b.requestsPerSecond] : [];
  });
  const spread = summarize(pairs);
  const median = oursMedian.median / bareMedian.median;
  return spread ? { ...spread, median } : { median, min: median, max: median, n: 1 };
}

/** The repetitions of each cell folded into one row, in the order the cells first appear. */
export function aggregate(measurements: readonly Measurement[]): Row[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) groups.set(cellKey(m), [...(groups.get(cellKey(m)) ?? []), m]);
  return [...groups.values()].flatMap((rows) => {
    const [first] = rows;
    const rate = summarize(values(rows, (m) => m.requestsPerSecond));
    if (!first || !rate) return [];
    const twin = groups.get(cellKey({ ...first, server: "bare" })) ?? [];
    return [
      {
        scenario: first.scenario,
        node: first.node,
        server: first.server,
        mode: first.mode,
        load: first.load,
        requestsPerSecond: rate,
        p50Ms: summarize(values(rows, (m) => m.p50Ms)),
        p95Ms: summarize(values(rows, (m) => m.p95Ms)),
        p99Ms: summarize(values(rows, (m) => m.p99Ms)),
        errors: rows.reduce((sum, m) => sum + m.errors, 0),
        rssMiB: peak(rows, (m) => m.memory.rssMiB),
        heapUsedMiB: peak(rows, (m) => m.memory.heapUsedMiB),
        ratio: first.server === "ours" && first.mode === "closed" ? ratioOf(rows, twin) : null,
      },
    ];
  });
}

const fixed = (digits: number) => (value: number | null) => (value === null ? "n/a" : value.toFixed(digits));
const mib = fixed(0);

/** Text columns left-aligned, numbers right-aligned. */
export function layout(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  textColumns: number,
): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i < textColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** Medians with their spread (min–max over the repetitions) in brackets. */
export function formatTable(rows: readonly Row[]): string {
  const header = [
    "scenario",
    "node",
    "server",
    "mode",
    "load",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "RSS MiB",
    "heap MiB",
    "ours/bare",
  ];
  const cells = rows.map((row) => [
    row.scenario,
    row.node,
    row.server,
    row.mode,
    row.load,
    formatSummary(row.requestsPerSecond),
    formatSummary(row.p50Ms, 1),
    formatSummary(row.p95Ms, 1),
    formatSummary(row.p99Ms, 1),
    String(row.errors),
    mib(row.rssMiB),
    mib(row.heapUsedMiB),
    row.ratio ? formatSummary(row.ratio, 2) : "",
  ]);
  return layout(header, cells, 5);
}

export function formatStartTimes(startTimes: readonly StartTimes[]): string {
  const header = ["node", "data folder", "start ms", "RSS after start MiB"];
  const cells = startTimes.map((s) => [s.node, s.folder, formatSummary(s.startMs), formatSummary(s.rssMiB)]);
  return layout(header, cells, 2);
}

/**
 * Micro-benchmarks: the median per call, the 10th–90th percentiles of the timed runs, and what a
 * call returned (slots offered), which must not differ between Node versions.
 */
export function formatMicro(results: readonly MicroResult[]): string {
  const header = ["micro-benchmark", "node", "unit", "median", "p10–p90", "runs", "returns"];
  const cells = results.map((r) => [
    r.name,
    r.node,
    r.unit,
    r.medianMs.toFixed(3),
    `${r.p10Ms.toFixed(3)}–${r.p90Ms.toFixed(3)}`,
    String(r.runs),
    String(r.output),
  ]);
  return layout(header, cells, 3);
}

/** bench/results/<timestamp>.json (git-ignored): every repetition as hey reported it, the rows, and the machine. */
export async function writeReport(report: Report, rows: readonly Row[], targets: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${report.startedAt.replace(/[:.]/g, "-")}.json`);
  const cpu = cpus();
  const body = {
    ...report,
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? "unknown",
      memoryGiB: totalmem() / 2 ** 30,
      kernel: release(),
    },
    rows,
    targets,
  };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
