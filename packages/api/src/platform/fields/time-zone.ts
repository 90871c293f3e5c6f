import { Temporal } from "temporal-polyfill";
import { z } from "zod";

/** A zone the time library knows by name (not a bare offset such as `+01:00`). */
export function isKnownTimeZone(zone: string): boolean {
  return timeZoneId(zone) !== null;
}

function timeZoneId(zone: string): string | null {
  try {
    const id = new Temporal.ZonedDateTime(0n, zone).timeZoneId;
    return id.startsWith("+") || id.startsWith("-") ? null : id;
  } catch {
    return null;
  }
}

/**
 * An IANA time zone from a client, stored in the library's spelling (`europe/paris` →
 * `Europe/Paris`). Not `Intl`: on Node 24 it also takes bare offsets such as `+01:00`, which have
 * no daylight-saving rules and would make a doctor's hours drift by an hour twice a year.
 */
export const ZTimeZone = z
  .string()
  .min(1)
  .max(64)
  .transform((zone, ctx) => {
    const id = timeZoneId(zone);
    if (id !== null) return id;
    ctx.addIssue({ code: "custom", message: "Expected an IANA time zone such as Africa/Algiers" });
    return z.NEVER;
  });
