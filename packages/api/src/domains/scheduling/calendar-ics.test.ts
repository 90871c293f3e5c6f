import fc from "fast-check";
import { Temporal } from "temporal-polyfill";
import { describe, expect, test } from "vitest";
import { parseFeed } from "#testing/ical.ts";
import { type FeedEvent, renderFeed } from "./calendar-ics.ts";

const ZONES = [
  "Europe/Paris",
  "America/New_York",
  "Africa/Algiers",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "UTC",
] as const;
const NOW = new Date("2026-06-01T08:00:00.000Z");
const MINUTE_MS = 60_000;

let sequence = 0;
function event(overrides: Partial<FeedEvent> & Pick<FeedEvent, "startsAt">): FeedEvent {
  sequence += 1;
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`,
    endsAt: new Date(overrides.startsAt.getTime() + 30 * MINUTE_MS),
    timezone: "Africa/Algiers",
    status: "SCHEDULED",
    with: { role: "DOCTOR", firstName: "Amina", lastName: "Benali" },
    reschedules: 0,
    createdAt: new Date("2026-05-01T10:00:00.000Z"),
    updatedAt: new Date("2026-05-02T10:00:00.000Z"),
    ...overrides,
  };
}

/** Every instant at which `zone` changes its offset in 2026, as epoch milliseconds. */
function transitions2026(zone: string): number[] {
  const found: number[] = [];
  let at = Temporal.ZonedDateTime.from({
    year: 2026,
    month: 1,
    day: 1,
    timeZone: zone,
  }).getTimeZoneTransition("next");
  while (at && at.year === 2026) {
    found.push(at.epochMilliseconds);
    at = at.getTimeZoneTransition("next");
  }
  return found;
}

describe("the iCalendar feed, read back by ical.js", () => {
  test("every start and end comes back as the same instant, in every zone, across each clock change", () => {
    const nearChanges = ZONES.flatMap((zone) =>
      transitions2026(zone).map((at) => fc.record({ zone: fc.constant(zone), near: fc.constant(at) })),
    );
    // Instants within three hours of a clock change (the hard part), and anywhere in the year.
    const instant = fc.oneof(
      fc.oneof(...nearChanges).chain(({ zone, near }) =>
        fc.record({
          zone: fc.constant(zone),
          start: fc.integer({ min: -36, max: 36 }).map((quarter) => near + quarter * 5 * MINUTE_MS),
        }),
      ),
      fc.record({
        zone: fc.constantFrom(...ZONES),
        start: fc
          .integer({ min: Date.parse("2026-01-01"), max: Date.parse("2027-01-01") })
          .map((ms) => Math.floor(ms / (5 * MINUTE_MS)) * 5 * MINUTE_MS),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: instant, minutes: fc.integer({ min: 5, max: 240 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        (drawn) => {
          const events = drawn.map(({ at, minutes }) =>
            event({
              startsAt: new Date(at.start),
              endsAt: new Date(at.start + minutes * MINUTE_MS),
              timezone: at.zone,
            }),
          );
          const parsed = parseFeed(renderFeed({ events, locale: "fr", now: NOW }));
          expect(parsed.events.map((e) => [e.start.getTime(), e.end.getTime()])).toEqual(
            events.map((e) => [e.startsAt.getTime(), e.endsAt.getTime()]),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test("local times carry the doctor's zone; a time the clock shows twice is written in UTC instead", () => {
    // 2026-10-25 in Paris: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET); clients
    // disagree on which one "02:30" means.
    const plain = event({ startsAt: new Date("2026-12-07T08:30:00.000Z"), timezone: "Europe/Paris" });
    const first = event({
      startsAt: new Date("2026-10-25T00:30:00.000Z"),
      endsAt: new Date("2026-10-25T00:50:00.000Z"),
      timezone: "Europe/Paris",
    });
    const second = event({ startsAt: new Date("2026-10-25T01:30:00.000Z"), timezone: "Europe/Paris" });
    const parsed = parseFeed(renderFeed({ events: [plain, first, second], locale: "fr", now: NOW }));
    expect(parsed.zones).toEqual(["Europe/Paris"]);
    expect(parsed.events.map((e) => [e.tzid, e.localStart])).toEqual([
      ["Europe/Paris", "2026-12-07T09:30:00"],
      [null, "2026-10-25T00:30:00Z"],
      [null, "2026-10-25T01:30:00Z"],
    ]);
  });

  test("a repeated time is found even when the clock goes back just after the feed's last event", () => {
    // 02:00–02:30 in Paris on 2026-10-25, both times shown again after 01:00Z: the only event.
    const alone = event({
      startsAt: new Date("2026-10-25T00:00:00.000Z"),
      endsAt: new Date("2026-10-25T00:30:00.000Z"),
      timezone: "Europe/Paris",
    });
    const [parsed] = parseFeed(renderFeed({ events: [alone], locale: "fr", now: NOW })).events;
    expect([parsed?.tzid, parsed?.start, parsed?.end]).toEqual([null, alone.startsAt, alone.endsAt]);
  });

  test("stable UIDs, CANCELLED or CONFIRMED, the other party's name, and nothing clinical", () => {
    const booked = event({ startsAt: new Date("2026-06-07T08:30:00.000Z") });
    const cancelled = event({
      startsAt: new Date("2026-06-08T08:30:00.000Z"),
      status: "CANCELLED",
      reschedules: 2,
    });
    const done = event({ startsAt: new Date("2026-05-08T08:30:00.000Z"), status: "COMPLETED" });
    const missed = event({ startsAt: new Date("2026-05-09T08:30:00.000Z"), status: "NO_SHOW" });
    const text = renderFeed({ events: [booked, cancelled, done, missed], locale: "fr-DZ", now: NOW });
    const parsed = parseFeed(text);
    expect(parsed.name).toBe("Rendez-vous");
    expect(parsed.events.map((e) => [e.uid, e.status, e.sequence])).toEqual([
      [`${booked.id}@medical-backend`, "CONFIRMED", 0],
      [`${cancelled.id}@medical-backend`, "CANCELLED", 3],
      [`${done.id}@medical-backend`, "CONFIRMED", 0],
      [`${missed.id}@medical-backend`, "CONFIRMED", 0],
    ]);
    expect(new Set(parsed.events.map((e) => e.summary))).toEqual(
      new Set(["Rendez-vous avec Dr Amina Benali"]),
    );
    for (const parsedEvent of parsed.events)
      expect(parsedEvent.properties.sort()).toEqual([
        "class",
        "created",
        "dtend",
        "dtstamp",
        "dtstart",
        "last-modified",
        "sequence",
        "status",
        "summary",
        "uid",
      ]);
    expect(text).toContain("CLASS:PRIVATE");
    // Rendered again later, an event keeps its UID: clients update it instead of adding a copy.
    const later = parseFeed(renderFeed({ events: [booked], locale: "fr", now: new Date() }));
    expect(later.events[0]?.uid).toBe(parsed.events[0]?.uid);
  });

  test("folds long lines at 75 octets, multi-byte characters whole (the patched ical-generator)", () => {
    const longName = {
      role: "PATIENT" as const,
      firstName: "Ἀλέξανδρος-Юлия-امينة-😀".repeat(3),
      lastName: "Ben Ali Khelifi-Haddad-Bouzid-Mansouri",
    };
    const named = event({ startsAt: new Date("2026-06-07T08:30:00.000Z"), with: longName });
    const text = renderFeed({ events: [named], locale: "ar", now: NOW });
    for (const line of text.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(text).not.toContain("\uFFFD");
    expect(parseFeed(text).events[0]?.summary).toBe(`موعد مع ${longName.firstName} ${longName.lastName}`);
  });

  test("names the calendar and the events in the owner's language, the patient for a doctor's feed", () => {
    const withPatient = event({
      startsAt: new Date("2026-06-07T08:30:00.000Z"),
      with: { role: "PATIENT", firstName: "Yacine", lastName: "Khelifi" },
    });
    const summaryIn = (locale: string | null) =>
      parseFeed(renderFeed({ events: [withPatient], locale, now: NOW })).events[0]?.summary;
    expect(summaryIn("fr")).toBe("Rendez-vous avec Yacine Khelifi");
    expect(summaryIn("en-GB")).toBe("Appointment with Yacine Khelifi");
    expect(summaryIn("ar")).toBe("موعد مع Yacine Khelifi");
    expect(summaryIn(null)).toBe("Appointment with Yacine Khelifi");
    expect(parseFeed(renderFeed({ events: [], locale: "ar", now: NOW }))).toEqual({
      name: "المواعيد",
      zones: [],
      events: [],
    });
  });
});
