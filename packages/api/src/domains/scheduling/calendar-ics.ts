import type { AppointmentStatus } from "@medical/db/schema";
import ical, { ICalEventClass, ICalEventStatus } from "ical-generator";
import { Temporal } from "temporal-polyfill";
import { isKnownTimeZone } from "#platform/fields/time-zone.ts";
// The language rule of mail (fr, ar, else en) names the calendar and its events too.
import { mailLanguage } from "#platform/mail/messages.ts";
import { repeatedTimes, vtimezoneOf, type ZoneChanges, zoneChanges } from "./calendar-zones.ts";

/** One appointment as a feed shows it: times, status and the other party's name, nothing clinical. */
export interface FeedEvent {
  id: string;
  startsAt: Date;
  endsAt: Date;
  /** The doctor's zone when it was booked: the event's TZID. */
  timezone: string;
  status: AppointmentStatus;
  /** Who the feed's owner meets: the doctor for a patient's feed, the patient for a doctor's. */
  with: { role: "DOCTOR" | "PATIENT"; firstName: string; lastName: string };
  /** How many times it was moved: the event's SEQUENCE grows with each move and the cancellation. */
  reschedules: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface FeedCalendar {
  events: readonly FeedEvent[];
  /** The owner's locale (`fr`, `ar`, `en`…): the calendar's name and the events' summaries. */
  locale: string | null;
  /** DTSTAMP of every event: when the feed was generated. */
  now: Date;
}

/** The right-hand side of every UID: stable whatever PUBLIC_URL says, unique by the appointment id. */
const UID_DOMAIN = "medical-backend";
// ical-generator writes it after a "-": PRODID:-//medical-backend//Appointments feed//EN
const PRODUCT_ID = "//medical-backend//Appointments feed//EN";
/** Clients that honour it poll hourly; the per-feed rate limit allows more. */
const REFRESH_SECONDS = 3600;

const COPY = {
  en: {
    name: "Appointments",
    summary: (name: string, doctor: boolean) => `Appointment with ${doctor ? "Dr " : ""}${name}`,
  },
  fr: {
    name: "Rendez-vous",
    summary: (name: string, doctor: boolean) => `Rendez-vous avec ${doctor ? "Dr " : ""}${name}`,
  },
  ar: {
    name: "المواعيد",
    summary: (name: string, doctor: boolean) => `موعد مع ${doctor ? "د. " : ""}${name}`,
  },
} as const;

/**
 * The iCalendar text of a feed (RFC 5545): one VEVENT per appointment with a stable UID
 * (`<appointment id>@medical-backend`), local DTSTART/DTEND with the doctor's zone as TZID (and
 * its VTIMEZONE; UTC where a local time is ambiguous, see localTimesHold), STATUS:CANCELLED for a
 * cancelled one and CONFIRMED otherwise, CLASS:PRIVATE, and a SUMMARY naming the other party.
 * Never the reason or any clinical text.
 */
export function renderFeed({ events, locale, now }: FeedCalendar): string {
  const copy = COPY[mailLanguage(locale)];
  const zones = zonePlans(events);
  const calendar = ical({
    name: copy.name,
    prodId: PRODUCT_ID,
    ttl: REFRESH_SECONDS,
    timezone: {
      name: null,
      generator: (zone) => {
        const plan = zones.get(zone);
        return plan ? vtimezoneOf(plan.changes) : null;
      },
    },
  });
  for (const event of events) {
    const zone = localTimesHold(event, zones.get(event.timezone)) ? event.timezone : null;
    const name = `${event.with.firstName} ${event.with.lastName}`;
    const cancelled = event.status === "CANCELLED";
    calendar.createEvent({
      id: `${event.id}@${UID_DOMAIN}`,
      start: zone ? zoned(event.startsAt, zone) : event.startsAt,
      end: zone ? zoned(event.endsAt, zone) : event.endsAt,
      timezone: zone,
      summary: copy.summary(name, event.with.role === "DOCTOR"),
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      class: ICalEventClass.PRIVATE,
      sequence: event.reschedules + (cancelled ? 1 : 0),
      stamp: now,
      created: event.createdAt,
      lastModified: event.updatedAt,
    });
  }
  return calendar.toString();
}

/** What one zone of a feed needs: its changes over the feed's span, and the times it repeats. */
interface ZonePlan {
  changes: ZoneChanges;
  repeated: [number, number][];
}

/** Beyond any clock shift (at most a few hours): a change just outside the events still counts. */
const MARGIN_MS = 86_400_000;

/**
 * Each known zone of the events, read once for the whole feed (from a day before the first start
 * to a day after the last end: a time just before a change that sets the clock back repeats too)
 * — a feed holds many events in few zones. An unknown zone has no plan.
 */
function zonePlans(events: readonly FeedEvent[]): Map<string, ZonePlan> {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  const names = new Set<string>();
  for (const event of events) {
    from = Math.min(from, event.startsAt.getTime());
    to = Math.max(to, event.endsAt.getTime());
    names.add(event.timezone);
  }
  const plans = new Map<string, ZonePlan>();
  for (const zone of names) {
    if (!isKnownTimeZone(zone)) continue;
    const changes = zoneChanges(zone, new Date(from - MARGIN_MS), new Date(to + MARGIN_MS));
    plans.set(zone, { changes, repeated: repeatedTimes(changes) });
  }
  return plans;
}

/**
 * Whether the event's times can be written as wall-clock times under its TZID: the zone is known,
 * and neither time is one the zone's clock shows twice when it goes back. RFC 5545 reads such a
 * time as the first occurrence, ical.js (and others) as the second: an hour apart in Paris, so an
 * event touching one is written in UTC instead, which every client places right.
 */
function localTimesHold(event: FeedEvent, plan: ZonePlan | undefined): boolean {
  if (!plan) return false;
  return [event.startsAt.getTime(), event.endsAt.getTime()].every((at) =>
    plan.repeated.every(([from, to]) => at < from || at >= to),
  );
}

/** A Date as a zoned date-time: ical-generator writes its wall-clock time under TZID. */
function zoned(instant: Date, zone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(zone);
}
