import { mergedPercentile } from "./latency.ts";
import type { Measurement } from "./measure.ts";
import type { Row } from "./report.ts";
import type { Scenario } from "./scenario.ts";
import type { StartTimes } from "./startup.ts";
import { summarize } from "./stats.ts";

/** The targets that are not a scenario's own (see Scenario.minRatio and compareAt). */
export const RSS_TARGET_MIB = 200;
export const MIGRATED_START_TARGET_MS = 1_500;

export interface TargetCheck {
  readonly what: string;
  readonly target: string;
  readonly measured: string;
  /** null: printed for information, or not measured in this run. */
  readonly met: boolean | null;
}

const NOT_MEASURED = "not measured";

/** Every target, checked on the rows of one Node version (the reported one). */
export function checkTargets(
  scenarios: readonly Pick<Scenario, "name" | "minRatio" | "compareAt">[],
  rows: readonly Row[],
  startTimes: readonly StartTimes[],
  node: string,
): TargetCheck[] {
  const find = (scenario: string, server: Row["server"], mode: Row["mode"], load?: string) =>
    rows.find(
      (r) =>
        r.scenario === scenario &&
        r.node === node &&
        r.server === server &&
        r.mode === mode &&
        (load === undefined || r.load === load),
    );
  const checks: TargetCheck[] = [];
  for (const scenario of scenarios) {
    if (scenario.minRatio !== undefined) {
      const ratio = find(scenario.name, "ours", "closed")?.ratio;
      checks.push({
        what: `${scenario.name} throughput, ours ÷ twin`,
        target: `≥ ${scenario.minRatio}×`,
        measured: ratio
          ? `${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`
          : NOT_MEASURED,
        met: ratio ? ratio.median >= scenario.minRatio : null,
      });
    }
    if (scenario.compareAt) {
      const load = `${scenario.compareAt.rate}/s`;
      const ours = find(scenario.name, "ours", "fixed", load)?.p95Ms;
      const bare = find(scenario.name, "bare", "fixed", load)?.p95Ms;
      const limit = scenario.compareAt.maxP95Ratio;
      checks.push({
        what: `${scenario.name} p95 at ${load}, ours vs twin`,
        target: limit === undefined ? "printed" : `≤ ${limit}× the twin's`,
        measured:
          ours && bare
            ? `ours ${ours.median.toFixed(1)} ms, twin ${bare.median.toFixed(1)} ms (${(ours.median / bare.median).toFixed(2)}×)`
            : NOT_MEASURED,
        met: ours && bare && limit !== undefined ? ours.median <= limit * bare.median : null,
      });
      const maxMs = scenario.compareAt.maxP95Ms;
      if (maxMs !== undefined)
        checks.push({
          what: `${scenario.name} p95 at ${load}, ours`,
          target: `< ${maxMs} ms`,
          measured: ours
            ? `${ours.median.toFixed(1)} ms (${ours.min.toFixed(1)}–${ours.max.toFixed(1)})`
            : NOT_MEASURED,
          met: ours ? ours.median < maxMs : null,
        });
    }
  }
  const rss = rows
    .filter((r) => r.node === node && r.server === "ours" && r.rssMiB !== null)
    .map((r) => r.rssMiB ?? 0);
  checks.push({
    what: "server RSS under load (peak, ours)",
    target: `≤ ${RSS_TARGET_MIB} MiB`,
    measured: rss.length > 0 ? `${Math.max(...rss).toFixed(0)} MiB` : NOT_MEASURED,
    met: rss.length > 0 ? Math.max(...rss) <= RSS_TARGET_MIB : null,
  });
  const start = (folder: StartTimes["folder"]) =>
    startTimes.find((s) => s.node === node && s.folder === folder);
  const migrated = start("migrated PGlite");
  checks.push({
    what: "start to a healthy answer, migrated PGlite folder",
    target: `< ${(MIGRATED_START_TARGET_MS / 1000).toFixed(1)} s`,
    measured: migrated ? `${(migrated.startMs.median / 1000).toFixed(2)} s` : NOT_MEASURED,
    met: migrated ? migrated.startMs.median < MIGRATED_START_TARGET_MS : null,
  });
  const empty = start("empty folder");
  checks.push({
    what: "start to a healthy answer, empty folder (migrations)",
    target: "printed",
    measured: empty ? `${(empty.startMs.median / 1000).toFixed(2)} s` : NOT_MEASURED,
    met: null,
  });
  return checks;
}

/**
 * `latencyRatio` targets: two labelled targets of a mix, on ours at the `compareAt` rate — the
 * median latency of one ÷ the other's in each repetition (the p95s' ratio printed beside), the
 * median of those ratios against the target.
 */
export function latencyRatioTargets(
  scenarios: readonly Pick<Scenario, "name" | "compareAt" | "latencyRatio">[],
  measurements: readonly Measurement[],
  node: string,
): TargetCheck[] {
  return scenarios.flatMap((scenario) => {
    const { latencyRatio, compareAt } = scenario;
    if (!latencyRatio || !compareAt) return [];
    const load = `${compareAt.rate}/s`;
    const runs = measurements.filter(
      (m) => m.scenario === scenario.name && m.node === node && m.server === "ours" && m.load === load,
    );
    const of = (m: Measurement, label: string, percentile: number) =>
      mergedPercentile(
        m.targets.filter((t) => t.label === label).map((t) => t.result),
        percentile,
      );
    const ratios = (percentile: number) =>
      runs.flatMap((m) => {
        const [a, b] = [of(m, latencyRatio.of, percentile), of(m, latencyRatio.to, percentile)];
        return a !== null && b !== null && b > 0 ? [{ ratio: a / b, a, b }] : [];
      });
    const medians = ratios(50);
    const median = summarize(medians.map((r) => r.ratio));
    const p95 = summarize(ratios(95).map((r) => r.ratio));
    const ms = (pick: (r: { a: number; b: number }) => number) =>
      summarize(medians.map(pick))?.median.toFixed(1) ?? "n/a";
    return [
      {
        what: `${scenario.name} ${latencyRatio.of} ÷ ${latencyRatio.to}, median latency at ${load}`,
        target: `< ${latencyRatio.max}×`,
        measured: median
          ? `${median.median.toFixed(2)}× (${median.min.toFixed(2)}–${median.max.toFixed(2)}; ` +
            `${ms((r) => r.a)} vs ${ms((r) => r.b)} ms; p95s ${p95?.median.toFixed(2) ?? "n/a"}×)`
          : NOT_MEASURED,
        met: median ? median.median < latencyRatio.max : null,
      },
    ];
  });
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  const mark = (met: boolean | null) => (met === null ? "    " : met ? "met " : "MISS");
  const width = Math.max(...checks.map((c) => c.what.length));
  const targetWidth = Math.max(...checks.map((c) => c.target.length));
  return checks
    .map((c) => `${mark(c.met)}  ${c.what.padEnd(width)}  ${c.target.padEnd(targetWidth)}  ${c.measured}`)
    .join("\n");
}
