import { describe, expect, test } from "vitest";
import type { Measurement } from "./measure.ts";
import { aggregate } from "./report.ts";
import { closedConcurrency, fixedRate, interleaved } from "./schedule.ts";
import { formatSummary, summarize } from "./stats.ts";
import { checkTargets, latencyRatioTargets } from "./targets.ts";

describe("summarize", () => {
  test("the median of an odd count is the middle value; min and max are the spread", () => {
    expect(summarize([30, 10, 20])).toEqual({ median: 20, min: 10, max: 30, n: 3 });
  });

  test("the median of an even count is the mean of the middle two", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
  });

  test("no values, no summary", () => {
    expect(summarize([])).toBeNull();
    expect(formatSummary(null)).toBe("n/a");
  });

  test("prints the median and the spread; a single run has no spread", () => {
    expect(formatSummary(summarize([1190.4, 1234, 1300]))).toBe("1234 (1190–1300)");
    expect(formatSummary(summarize([0.912]), 2)).toBe("0.91");
  });
});

describe("the plan of a series", () => {
  test("alternates ours and the twin, one pair per repetition", () => {
    expect(interleaved(3).map((c) => `${c.server}${c.repetition}`)).toEqual([
      "ours1",
      "bare1",
      "ours2",
      "bare2",
      "ours3",
      "bare3",
    ]);
  });

  test("the fixed rate is a share of the lower saturation, the same for both servers", () => {
    expect(fixedRate({ ours: 600, bare: 900 }, 0.5)).toBe(300);
    expect(fixedRate({ ours: 2_000, bare: 1_500 }, 0.5)).toBe(750);
    expect(fixedRate({ ours: 0.4, bare: 10 }, 0.5)).toBe(1);
  });

  test("closed-loop workers: twice the cores with auto, at least one per URL of a mix", () => {
    expect(closedConcurrency("auto", 1, 2)).toBe(4);
    expect(closedConcurrency("auto", 6, 2)).toBe(6);
    expect(closedConcurrency(8, 1, 2)).toBe(8);
    // A scenario whose issue names the concurrency of its ratio (records.read: 32) gets it with auto only.
    expect(closedConcurrency("auto", 2, 2, 32)).toBe(32);
    expect(closedConcurrency(8, 2, 2, 32)).toBe(8);
  });
});

const memory = { rssMiB: 150, heapUsedMiB: 40, heapTotalMiB: 60 };
function run(server: "ours" | "bare", repetition: number, rps: number, p95 = 5, load = "c=4"): Measurement {
  return {
    scenario: "users.me",
    node: "v24.0.0",
    server,
    mode: load.startsWith("c=") ? "closed" : "fixed",
    load,
    repetition,
    requestsPerSecond: rps,
    p50Ms: 1,
    p95Ms: p95,
    p99Ms: 9,
    errors: 0,
    memory: { ...memory, rssMiB: memory.rssMiB + repetition },
    targets: [],
  };
}

describe("aggregate", () => {
  const rows = aggregate([
    run("ours", 1, 800),
    run("bare", 1, 1_000),
    run("ours", 2, 900),
    run("bare", 2, 1_000),
    run("ours", 3, 700),
    run("bare", 3, 1_400),
  ]);

  test("one row per server and load, the medians of its repetitions and the peak RSS", () => {
    expect(rows.map((r) => r.server)).toEqual(["ours", "bare"]);
    expect(rows[0]).toMatchObject({
      requestsPerSecond: { median: 800, min: 700, max: 900, n: 3 },
      rssMiB: 153,
    });
  });

  test("ours/bare: the ratio of the medians, with the spread of the pairs' ratios", () => {
    expect(rows[0]?.ratio).toEqual({ median: 0.8, min: 0.5, max: 0.9, n: 3 });
    expect(rows[1]?.ratio).toBeNull();
  });
});

describe("checkTargets", () => {
  const scenario = { name: "users.me", minRatio: 0.7, compareAt: { rate: 300, maxP95Ratio: 1.5 } };
  const rows = aggregate([
    run("ours", 1, 800),
    run("bare", 1, 1_000),
    run("ours", 1, 300, 12, "300/s"),
    run("bare", 1, 300, 10, "300/s"),
  ]);
  const startTimes = [
    {
      node: "v24.0.0",
      folder: "migrated PGlite" as const,
      startMs: { median: 1_600, min: 1_500, max: 1_700, n: 3 },
      rssMiB: { median: 90, min: 90, max: 90, n: 3 },
    },
  ];

  test("each target beside its figure, met or missed", () => {
    const checks = checkTargets([scenario], rows, startTimes, "v24.0.0");
    expect(checks.map((c) => [c.what, c.met])).toEqual([
      ["users.me throughput, ours ÷ twin", true],
      ["users.me p95 at 300/s, ours vs twin", true],
      ["server RSS under load (peak, ours)", true],
      ["start to a healthy answer, migrated PGlite folder", false],
      ["start to a healthy answer, empty folder (migrations)", null],
    ]);
    expect(checks[1]?.measured).toBe("ours 12.0 ms, twin 10.0 ms (1.20×)");
  });

  test("a figure another Node measured is not this one's: not measured", () => {
    const checks = checkTargets([scenario], rows, startTimes, "v20.0.0");
    expect(checks.every((c) => c.met === null)).toBe(true);
  });
});

describe("absolute p95 and latency-ratio targets", () => {
  const scenario = {
    name: "appointments.mine",
    compareAt: { rate: 300, maxP95Ratio: 1.5, maxP95Ms: 20 },
    latencyRatio: { of: "page 500", to: "page 1", max: 1.5 },
  };
  /** One hey run of a target whose latencies are `ms` at the median and `ms × 2` at p95. */
  const hey = (ms: number) => ({
    responses: 100,
    requestsPerSecond: 150,
    percentilesMs: { "10": ms / 2, "50": ms, "95": ms * 2, "99": ms * 3 },
    fastestMs: ms / 4,
    slowestMs: ms * 4,
    statusCounts: { "200": 100 },
    non2xx: 0,
    failures: 0,
    errorSamples: [],
  });
  const withTargets = (repetition: number, first: number, deep: number): Measurement => ({
    ...run("ours", repetition, 300, 8, "300/s"),
    scenario: "appointments.mine",
    targets: [
      { path: "/a?limit=20", label: "page 1", result: hey(first) },
      { path: "/a?limit=20&cursor=x", label: "page 500", result: hey(deep) },
    ],
  });

  test("ours' p95 at the stated rate against its ceiling", () => {
    const rows = aggregate([
      { ...run("ours", 1, 300, 12, "300/s"), scenario: "appointments.mine" },
      { ...run("bare", 1, 300, 10, "300/s"), scenario: "appointments.mine" },
    ]);
    const checks = checkTargets([scenario], rows, [], "v24.0.0");
    expect(checks.find((c) => c.what === "appointments.mine p95 at 300/s, ours")).toMatchObject({
      target: "< 20 ms",
      measured: "12.0 ms (12.0–12.0)",
      met: true,
    });
  });

  test("page 500 ÷ page 1: the median of the per-repetition ratios of the medians", () => {
    const measurements = [withTargets(1, 2, 2.4), withTargets(2, 2, 3.2), withTargets(3, 2, 2.2)];
    const [check] = latencyRatioTargets([scenario], measurements, "v24.0.0");
    expect(check).toMatchObject({
      what: "appointments.mine page 500 ÷ page 1, median latency at 300/s",
      target: "< 1.5×",
      met: true,
    });
    expect(check?.measured).toMatch(/^1\.20× \(1\.10–1\.60; 2\.4 vs 2\.0 ms; p95s 1\.20×\)$/);
    expect(latencyRatioTargets([scenario], measurements, "v20.0.0")[0]?.met).toBeNull();
  });
});
