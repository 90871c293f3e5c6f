import ICAL from "ical.js";

/** One VEVENT as a calendar app reads it, instants resolved through the feed's own VTIMEZONEs. */
export interface ParsedEvent {
  uid: string;
  summary: string;
  status: string;
  sequence: number;
  /** The TZID of DTSTART, or null for a UTC time. */
  tzid: string | null;
  /** DTSTART's wall clock as written (`2026-03-29T01:30:00`). */
  localStart: string;
  start: Date;
  end: Date;
  /** Every property name the event carries, for "nothing else" checks. */
  properties: string[];
}

export interface ParsedFeed {
  name: string | null;
  /** TZIDs that have a VTIMEZONE. */
  zones: string[];
  events: ParsedEvent[];
}

/**
 * Parses a feed with ical.js, an iCalendar library other than the one that wrote it. Local times
 * are converted with the feed's VTIMEZONE of their TZID (never the machine's zone data), so a
 * wrong VTIMEZONE shows as a wrong instant. Throws on a TZID without a VTIMEZONE.
 */
export function parseFeed(text: string): ParsedFeed {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const zones = new Map(
    calendar.getAllSubcomponents("vtimezone").map((component) => {
      const zone = new ICAL.Timezone(component);
      return [zone.tzid, zone] as const;
    }),
  );
  const instant = (event: ICAL.Component, name: string) => {
    const property = event.getFirstProperty(name);
    const value = property?.getFirstValue();
    if (!(value instanceof ICAL.Time)) throw new Error(`${name} is not a date-time`);
    const tzid = property?.getParameter("tzid");
    if (typeof tzid === "string") {
      const zone = zones.get(tzid);
      if (!zone) throw new Error(`no VTIMEZONE for ${tzid}`);
      value.zone = zone;
    }
    return { value, tzid: typeof tzid === "string" ? tzid : null };
  };
  const textOf = (event: ICAL.Component, name: string) => String(event.getFirstPropertyValue(name) ?? "");
  return {
    name: calendar.getFirstPropertyValue("name")?.toString() ?? null,
    zones: [...zones.keys()],
    events: calendar.getAllSubcomponents("vevent").map((event) => {
      const start = instant(event, "dtstart");
      const end = instant(event, "dtend");
      return {
        uid: textOf(event, "uid"),
        summary: textOf(event, "summary"),
        status: textOf(event, "status"),
        sequence: Number(event.getFirstPropertyValue("sequence") ?? 0),
        tzid: start.tzid,
        localStart: start.value.toString(),
        start: start.value.toJSDate(),
        end: end.value.toJSDate(),
        properties: event.getAllProperties().map((property) => property.name),
      };
    }),
  };
}
