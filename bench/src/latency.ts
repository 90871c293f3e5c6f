import type { HeyResult } from "./hey.ts";

interface Point {
  readonly ms: number;
  readonly p: number;
}

/** One hey run's latency CDF from what its summary prints: fastest, 10…99 %, slowest. */
function cdfPoints(result: HeyResult): Point[] | null {
  if (result.responses === 0 || result.fastestMs === null || result.slowestMs === null) return null;
  const points: Point[] = [{ ms: result.fastestMs, p: 0 }];
  for (const [percentile, ms] of Object.entries(result.percentilesMs))
    points.push({ ms, p: Number(percentile) / 100 });
  points.push({ ms: result.slowestMs, p: 1 });
  return points.sort((a, b) => a.ms - b.ms || a.p - b.p);
}

/** Linear between the printed points; at a repeated latency (hey rounds to 0.1 ms) the highest share wins. */
function cdfAt(points: readonly Point[], ms: number): number {
  let below: Point | undefined;
  let above: Point | undefined;
  for (const point of points) {
    if (point.ms <= ms) below = point;
    else {
      above = point;
      break;
    }
  }
  if (!below) return 0;
  if (!above) return 1;
  return below.p + ((above.p - below.p) * (ms - below.ms)) / (above.ms - below.ms);
}

/**
 * The `percentile` of several hey runs taken together (a mix, or the processes sharing a fixed
 * rate): the smallest latency where the response-weighted mixture of their CDFs reaches it. For a
 * single run this returns hey's own figure; for several it interpolates between hey's points.
 */
export function mergedPercentile(results: readonly HeyResult[], percentile: number): number | null {
  const parts = results.flatMap((result) => {
    const points = cdfPoints(result);
    return points ? [{ points, weight: result.responses }] : [];
  });
  if (parts.length === 0) return null;
  const total = parts.reduce((sum, part) => sum + part.weight, 0);
  const share = (ms: number) =>
    parts.reduce((sum, part) => sum + part.weight * cdfAt(part.points, ms), 0) / total;
  const target = percentile / 100;
  let low = Math.min(...parts.map((part) => part.points[0]?.ms ?? 0));
  let high = Math.max(...parts.map((part) => part.points.at(-1)?.ms ?? 0));
  // Bisection to well under hey's 0.1 ms resolution.
  for (let i = 0; i < 50 && high - low > 1e-4; i++) {
    const middle = (low + high) / 2;
    if (share(middle) >= target - 1e-12) high = middle;
    else low = middle;
  }
  return high;
}
