const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;
const isUnit = (value: string | undefined): value is Unit => value !== undefined && value in UNIT_MS;

/** "15m" → 900000; "30d" → 2592000000; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match || !isUnit(match[2])) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]];
}

export interface RateLimit {
  points: number;
  durationMs: number;
}

/** "10/15m,100/1h" → [{ points: 10, durationMs: 900000 }, …]; "20/s" means per one second. */
export function parseRateLimits(text: string): RateLimit[] | undefined {
  const limits: RateLimit[] = [];
  for (const part of text.split(",")) {
    const match = /^(\d+)\/(\d*)(s|m|h|d)$/.exec(part.trim());
    if (!match || !isUnit(match[3])) return undefined;
    const points = Number(match[1]);
    const durationMs = Number(match[2] || "1") * UNIT_MS[match[3]];
    if (points < 1 || durationMs < 1) return undefined;
    limits.push({ points, durationMs });
  }
  return limits;
}
