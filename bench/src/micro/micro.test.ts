import { describe, expect, test } from "vitest";
import { microBenchmarks } from "./index.ts";
import { microTargets, runMicro } from "./micro.ts";
import { doctorMonth } from "./slots-generate.ts";

describe("micro-benchmarks", () => {
  test("the doctor-month is 30 days with bookings, and the timed call offers slots", () => {
    const month = doctorMonth();
    expect(inclusiveDays(month.from, month.to)).toBe(30);
    expect(month.busy.length).toBeGreaterThan(50);
    for (const benchmark of microBenchmarks) {
      const result = runMicro(benchmark, 5, 1);
      expect(result).toMatchObject({ name: benchmark.name, node: process.version, runs: 5 });
      expect(result.output).toBeGreaterThan(100);
      expect(result.p10Ms).toBeLessThanOrEqual(result.medianMs);
    }
  });

  test("a target is met below its milliseconds, on the reported Node only", () => {
    const result = {
      name: "x",
      node: "v24.0.0",
      unit: "ms",
      targetMs: 5,
      runs: 1,
      p10Ms: 1,
      p90Ms: 1,
      output: 1,
    };
    expect(microTargets([{ ...result, medianMs: 4.9 }], "v24.0.0")).toMatchObject([{ met: true }]);
    expect(microTargets([{ ...result, medianMs: 5 }], "v24.0.0")).toMatchObject([{ met: false }]);
    expect(microTargets([{ ...result, medianMs: 1 }], "v20.0.0")).toEqual([]);
  });
});

function inclusiveDays(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
}
