import { describe, expect, test } from "vitest";
import { createRouter } from "./bare/router.ts";
import { heyArgs, parseHeySummary } from "./hey.ts";
import { mergedPercentile } from "./latency.ts";

// Trimmed output of hey 0.1.4 (Debian), with both a status and an error section.
const summary = `
Summary:
  Total:	2.0074 secs
  Slowest:	0.0056 secs
  Fastest:	0.0007 secs
  Average:	0.0031 secs
  Requests/sec:	39.8531

Response time histogram:
  0.001 [1]	|■■■

Latency distribution:
  10% in 0.0012 secs
  25% in 0.0025 secs
  50% in 0.0032 secs
  75% in 0.0040 secs
  90% in 0.0051 secs
  95% in 0.0053 secs
  0% in 0.0000 secs

Status code distribution:
  [200]	78 responses
  [503]	2 responses

Error distribution:
  [3]	Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused
`;

describe("parseHeySummary", () => {
  test("reads rate, percentiles, statuses and transport errors", () => {
    const result = parseHeySummary(summary);
    expect(result).toMatchObject({ responses: 80, requestsPerSecond: 39.8531, non2xx: 2, failures: 3 });
    expect(result.percentilesMs["50"]).toBeCloseTo(3.2);
    expect(result.slowestMs).toBeCloseTo(5.6);
    // hey prints "0% in 0.0000" when it has too few samples for p99: that is no data, not 0 ms.
    expect(result.percentilesMs["99"]).toBeUndefined();
    expect(result.errorSamples[0]).toContain("connection refused");
  });

  test("an all-failures run has no rate and no latencies", () => {
    const result = parseHeySummary("Summary:\n  Requests/sec:\t2.49\n\nError distribution:\n  [5]\tboom\n");
    expect(result).toMatchObject({ responses: 0, requestsPerSecond: 0, failures: 5, slowestMs: null });
  });
});

describe("heyArgs", () => {
  const load = { url: "http://127.0.0.1:1/api/v1/x", concurrency: 2, durationMs: 500 };
  test("a GET load keeps its arguments", () => {
    expect(heyArgs({ ...load, headers: { authorization: "Bearer t" }, ratePerWorker: 1.5 })).toEqual([
      "-z",
      "500ms",
      "-c",
      "2",
      "-t",
      "10",
      "-q",
      "1.500",
      "-H",
      "authorization: Bearer t",
      load.url,
    ]);
  });

  test("a POST sends its JSON body", () => {
    const args = heyArgs({ ...load, method: "POST", body: '{"a":1}' });
    expect(args.slice(6)).toEqual(["-m", "POST", "-T", "application/json", "-d", '{"a":1}', load.url]);
  });
});

describe("mergedPercentile", () => {
  const run = parseHeySummary(summary);
  test("one run gives hey's own figure", () => {
    expect(mergedPercentile([run], 50)).toBeCloseTo(3.2, 2);
    expect(mergedPercentile([run], 95)).toBeCloseTo(5.3, 2);
  });

  test("identical runs merge to the same figure; different ones land between them", () => {
    expect(mergedPercentile([run, run, run], 90)).toBeCloseTo(5.1, 2);
    const slower = { ...run, fastestMs: 7, slowestMs: 56, percentilesMs: { "50": 32, "95": 53 } };
    const p50 = mergedPercentile([run, slower], 50) ?? 0;
    expect(p50).toBeGreaterThan(3.2);
    expect(p50).toBeLessThan(32);
  });

  test("no responses, no percentile", () => {
    expect(mergedPercentile([parseHeySummary("")], 50)).toBeNull();
  });
});

describe("bare router", () => {
  const route = createRouter([
    { path: "/api/v1/health", handle: async () => ({ status: 200, body: null }) },
    { path: "/api/v1/doctors/:id", handle: async () => ({ status: 200, body: null }) },
    { method: "POST", path: "/api/v1/auth/login", handle: async () => ({ status: 200, body: null }) },
  ]);
  test("matches exact paths and named segments", () => {
    expect(route("/api/v1/health")?.params).toEqual({});
    expect(route("/api/v1/doctors/a%20b")?.params).toEqual({ id: "a b" });
    expect(route("/api/v1/doctors/")).toBeUndefined();
    expect(route("/api/v1/nope")).toBeUndefined();
  });

  test("matches the method, GET by default", () => {
    expect(route("/api/v1/auth/login", "POST")?.params).toEqual({});
    expect(route("/api/v1/auth/login")).toBeUndefined();
    expect(route("/api/v1/health", "POST")).toBeUndefined();
  });
});
