import { Temporal } from "temporal-polyfill";

/** A zone's offset changes around a span of time, read once per feed and zone. */
export interface ZoneChanges {
  zone: string;
  /** The latest change at or before the span's start (null for a zone that never changed). */
  inForce: Temporal.ZonedDateTime | null;
  /** Every change after the span's start up to its end, in order. */
  within: Temporal.ZonedDateTime[];
  /** The offset at the span's start, for a zone without changes. */
  startOffsetNs: number;
}

/**
 * The offset changes of an IANA `zone` between `from` and `to`, from the time library (the
 * runtime's current tz data). Throws RangeError for a zone the library does not know.
 */
export function zoneChanges(zone: string, from: Date, to: Date): ZoneChanges {
  const start = Temporal.Instant.fromEpochMilliseconds(from.getTime()).toZonedDateTimeISO(zone);
  const end = Temporal.Instant.fromEpochMilliseconds(to.getTime());
  const within: Temporal.ZonedDateTime[] = [];
  for (
    let change = start.getTimeZoneTransition("next");
    change && Temporal.Instant.compare(change.toInstant(), end) <= 0;
    change = change.getTimeZoneTransition("next")
  )
    within.push(change);
  // A change at `from` itself is in force from then on.
  const inForce = start.add({ nanoseconds: 1 }).getTimeZoneTransition("previous");
  return { zone, inForce, within, startOffsetNs: start.offsetNanoseconds };
}

/**
 * The instants (epoch milliseconds, `[from, to)`) whose wall-clock time the zone shows twice,
 * around each change that sets the clock back: from the change minus the shift to the change
 * plus the shift (the first and the second occurrence of the repeated times).
 */
export function repeatedTimes(changes: ZoneChanges): [number, number][] {
  return changes.within.flatMap((change) => {
    const shiftMs = (change.subtract({ nanoseconds: 1 }).offsetNanoseconds - change.offsetNanoseconds) / 1e6;
    return shiftMs > 0
      ? [[change.epochMilliseconds - shiftMs, change.epochMilliseconds + shiftMs] as [number, number]]
      : [];
  });
}

/**
 * The VTIMEZONE of a zone for events within the span its changes were read for (RFC 5545
 * §3.6.5): every TZID a feed names needs one, and a client that honours it (Outlook, ical.js)
 * converts local times with it rather than with its own zone data. One observance per offset
 * change, without RRULEs: the one in force at the span's start, then each change within it —
 * from the time library's data, where a packaged VTIMEZONE file ages.
 */
export function vtimezoneOf(changes: ZoneChanges): string {
  const lines = ["BEGIN:VTIMEZONE", `TZID:${changes.zone}`];
  lines.push(...(changes.inForce ? observance(changes.inForce) : since1970(changes.startOffsetNs)));
  for (const change of changes.within) lines.push(...observance(change));
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n");
}

/** An offset change at `change`: its local start on the clock before it, and both offsets. */
function observance(change: Temporal.ZonedDateTime): string[] {
  const before = change.subtract({ nanoseconds: 1 });
  const onset = before.toPlainDateTime().add({ nanoseconds: 1 });
  return component(kindOf(change), onset, before.offsetNanoseconds, change.offsetNanoseconds);
}

/** A zone that never changed its offset (UTC, Etc/…): one observance from 1970. */
function since1970(offsetNs: number): string[] {
  const onset = Temporal.PlainDateTime.from("1970-01-01T00:00:00");
  return component("STANDARD", onset, offsetNs, offsetNs);
}

function component(
  kind: "STANDARD" | "DAYLIGHT",
  onset: Temporal.PlainDateTime,
  fromNs: number,
  toNs: number,
): string[] {
  return [
    `BEGIN:${kind}`,
    `DTSTART:${basicDateTime(onset)}`,
    `TZOFFSETFROM:${basicOffset(fromNs)}`,
    `TZOFFSETTO:${basicOffset(toNs)}`,
    `END:${kind}`,
  ];
}

/**
 * DAYLIGHT when the new offset is ahead of the zone's lower offset of that year (its winter or
 * its summer, whichever is behind), STANDARD otherwise. Clients convert with the offsets; the
 * kind only names the period.
 */
function kindOf(change: Temporal.ZonedDateTime): "STANDARD" | "DAYLIGHT" {
  const offsetOn = (month: number) =>
    Temporal.PlainDate.from({ year: change.year, month, day: 1 }).toZonedDateTime(change.timeZoneId)
      .offsetNanoseconds;
  return change.offsetNanoseconds > Math.min(offsetOn(1), offsetOn(7)) ? "DAYLIGHT" : "STANDARD";
}

/** 2026-03-29T02:00:00 → 20260329T020000 */
function basicDateTime(at: Temporal.PlainDateTime): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${String(at.year).padStart(4, "0")}${two(at.month)}${two(at.day)}T${two(at.hour)}${two(at.minute)}${two(at.second)}`;
}

/** +05:30 → +0530; a historical offset with seconds keeps them (+00:09:21 → +000921). */
function basicOffset(nanoseconds: number): string {
  const sign = nanoseconds < 0 ? "-" : "+";
  const total = Math.round(Math.abs(nanoseconds) / 1e9);
  const two = (n: number) => String(n).padStart(2, "0");
  const seconds = total % 60;
  return `${sign}${two(Math.floor(total / 3600))}${two(Math.floor(total / 60) % 60)}${seconds ? two(seconds) : ""}`;
}
