import { mkdir, writeFile } from "node:fs/promises";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Failure, Measurement } from "./measure.ts";

export interface Report {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly argv: readonly string[];
  readonly database: string;
  readonly scenarios: readonly { readonly name: string; readonly description: string }[];
  readonly settings: Readonly<Record<string, unknown>>;
  readonly measurements: readonly Measurement[];
  readonly failures: readonly Failure[];
}

const RESULTS_DIR = fileURLToPath(new URL("../results", import.meta.url));

/** Ours ÷ bare closed-loop throughput for the same scenario and Node; null without both rows. */
export function ratioFor(row: Measurement, all: readonly Measurement[]): number | null {
  if (row.server !== "ours" || row.mode !== "closed") return null;
  const bare = all.find(
    (m) => m.server === "bare" && m.mode === "closed" && m.scenario === row.scenario && m.node === row.node,
  );
  return bare && bare.requestsPerSecond > 0 ? row.requestsPerSecond / bare.requestsPerSecond : null;
}

const fixed = (digits: number) => (value: number | null) => (value === null ? "n/a" : value.toFixed(digits));
const ms = fixed(1);
const mib = fixed(0);

export function formatTable(measurements: readonly Measurement[]): string {
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
  const rows = measurements.map((m) => {
    const ratio = ratioFor(m, measurements);
    return [
      m.scenario,
      m.node,
      m.server,
      m.mode,
      m.load,
      m.requestsPerSecond.toFixed(0),
      ms(m.p50Ms),
      ms(m.p95Ms),
      ms(m.p99Ms),
      String(m.errors),
      mib(m.memory.rssMiB),
      mib(m.memory.heapUsedMiB),
      ratio === null ? "" : ratio.toFixed(2),
    ];
  });
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  // Text columns left-aligned, numbers right-aligned.
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i < 5 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** bench/results/<timestamp>.json (git-ignored): everything hey reported, per target, plus the machine. */
export async function writeReport(report: Report): Promise<string> {
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
    measurements: report.measurements.map((m) => ({ ...m, oursOverBare: ratioFor(m, report.measurements) })),
  };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}
