import { describe, expect, test } from "vitest";
import type { Measurement } from "./measure.ts";
import { aggregate } from "./report.ts";
import { closedConcurrency, fixedRate, interleaved } from "./schedule.ts";
import { formatSummary, summarize } from "./stats.ts";
import { checkTargets } from "./targets.ts";

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
