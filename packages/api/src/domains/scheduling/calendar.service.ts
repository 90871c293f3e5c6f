import type { Executor } from "@medical/db";
import {
  appointmentChanges,
  appointments,
  calendarFeeds,
  doctors,
  patients,
  users,
} from "@medical/db/schema";
import { and, asc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import { hashToken, randomToken } from "#platform/auth/secrets.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { limitPublicRead } from "#platform/rate-limit/public-read.ts";
import { type FeedEvent, renderFeed } from "./calendar-ics.ts";

/** Where the feeds are served, under the server's origin (the server mounts its route here). */
export const CALENDAR_FEED_PATH = "/api/v1/calendar";
/** A feed token as issued: 32 random bytes, base64url (randomToken). Anything else is unknown. */
const FEED_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const DAY_MS = 86_400_000;
/** What a feed holds: the last 90 days, and a year ahead (no booking horizon reaches further). */
const FEED_WINDOW = { pastDays: 90, aheadDays: 366 } as const;

const FEED_NOT_FOUND = "No calendar feed at this address";

/** The feed address of a token: absolute, under PUBLIC_URL. */
function feedUrl(deps: Pick<Deps, "settings">, token: string): string {
  return `${deps.settings.publicUrl}${CALENDAR_FEED_PATH}/${token}.ics`;
}

/**
 * `POST /calendar/feed`: a new secret address for the caller's feed, replacing the one they had
 * (which stops working at once). Only the token's SHA-256 is stored; the address is in this
 * answer and nowhere else. PATIENT and DOCTOR only: the router refuses the other roles.
 */
export async function createFeed(
  deps: Pick<Deps, "db" | "events" | "clock" | "settings">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId">,
): Promise<{ url: string }> {
  const token = randomToken();
  await auditedTransaction(deps, audit, async (tx, record) => {
    const [previous] = await tx
      .select({ userId: calendarFeeds.userId })
      .from(calendarFeeds)
      .where(eq(calendarFeeds.userId, actor.userId))
      .for("update");
    const values = { tokenHash: hashToken(token), createdAt: deps.clock.now() };
    await tx
      .insert(calendarFeeds)
      .values({ userId: actor.userId, ...values })
      .onConflictDoUpdate({ target: calendarFeeds.userId, set: values });
    record.audit({
      action: previous ? "calendar_feed.rotated" : "calendar_feed.created",
      outcome: "SUCCESS",
      targetType: "calendar_feed",
      targetId: actor.userId,
    });
  });
  return { url: feedUrl(deps, token) };
}

/** `DELETE /calendar/feed`: the caller's feed address stops working; without one, nothing changes. */
export async function revokeFeed(
  deps: Pick<Deps, "db" | "events">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId">,
): Promise<void> {
  await auditedTransaction(deps, audit, async (tx, record) => {
    const revoked = await tx
      .delete(calendarFeeds)
      .where(eq(calendarFeeds.userId, actor.userId))
      .returning({ userId: calendarFeeds.userId });
    if (revoked.length)
      record.audit({
        action: "calendar_feed.revoked",
        outcome: "SUCCESS",
        targetType: "calendar_feed",
        targetId: actor.userId,
      });
  });
}

interface FeedOwner {
  userId: string;
  role: "PATIENT" | "DOCTOR";
  locale: string;
}

/**
 * `GET /api/v1/calendar/{token}.ics`, without a session: the iCalendar text of the feed whose
 * token this is. Rate-limited per client address (RATE_LIMIT_PUBLIC, before any look-up) and per
 * feed (RATE_LIMIT_CALENDAR_FEED, whatever address polls it). NOT_FOUND for a malformed, unknown
 * or revoked token, and for a feed whose owner is deactivated or no longer a patient or doctor.
 */
export async function readFeed(
  deps: Pick<Deps, "db" | "clock" | "rateLimits" | "settings">,
  token: string,
  ip: string | null,
): Promise<string> {
  await limitPublicRead(deps, ip);
  const owner = FEED_TOKEN.test(token) ? await findFeedOwner(deps.db, token) : undefined;
  if (!owner) throw new DomainError("NOT_FOUND", FEED_NOT_FOUND);
  const windows = deps.settings.rateLimits.calendarFeed;
  if (windows.length) await deps.rateLimits.consume({ name: "calendar-feed", windows }, owner.userId);
  const now = deps.clock.now();
  const events = await feedEvents(deps.db, owner, now);
  return renderFeed({ events, locale: owner.locale, now });
}

/** The feed's owner, found by the token's hash (an index look-up), if still allowed a feed. */
async function findFeedOwner(db: Executor, token: string): Promise<FeedOwner | undefined> {
  const [row] = await db
    .select({ userId: users.id, role: users.role, locale: users.locale, isActive: users.isActive })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(eq(calendarFeeds.tokenHash, hashToken(token)))
    .limit(1);
  if (!row?.isActive || (row.role !== "PATIENT" && row.role !== "DOCTOR")) return undefined;
  return { userId: row.userId, role: row.role, locale: row.locale };
}

const doctorUsers = alias(users, "doctor_users");
const patientUsers = alias(users, "patient_users");

/** The owner's appointments in the feed's window, by start; the other party's names, no reason. */
async function feedEvents(db: Executor, owner: FeedOwner, now: Date): Promise<FeedEvent[]> {
  const mine: SQL =
    owner.role === "DOCTOR"
      ? eq(
          appointments.doctorId,
          sql`(select ${doctors.id} from ${doctors} where ${doctors.userId} = ${owner.userId})`,
        )
      : eq(
          appointments.patientId,
          sql`(select ${patients.id} from ${patients} where ${patients.userId} = ${owner.userId})`,
        );
  const other = owner.role === "DOCTOR" ? patientUsers : doctorUsers;
  const rows = await db
    .select({
      id: appointments.id,
      startsAt: appointments.startsAt,
      endsAt: appointments.endsAt,
      timezone: appointments.timezone,
      status: appointments.status,
      createdAt: appointments.createdAt,
      updatedAt: appointments.updatedAt,
      firstName: other.firstName,
      lastName: other.lastName,
      reschedules: sql<number>`(select count(*)::int from ${appointmentChanges} where ${appointmentChanges.appointmentId} = ${appointments.id})`,
    })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(doctorUsers, eq(doctorUsers.id, doctors.userId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(patientUsers, eq(patientUsers.id, patients.userId))
    .where(
      and(
        mine,
        gte(appointments.startsAt, new Date(now.getTime() - FEED_WINDOW.pastDays * DAY_MS)),
        lt(appointments.startsAt, new Date(now.getTime() + FEED_WINDOW.aheadDays * DAY_MS)),
      ),
    )
    .orderBy(asc(appointments.startsAt), asc(appointments.id));
  const withRole = owner.role === "DOCTOR" ? "PATIENT" : "DOCTOR";
  return rows.map(({ firstName, lastName, ...row }) => ({
    ...row,
    with: { role: withRole, firstName, lastName },
  }));
}
