import { createHash } from "node:crypto";
import { appointmentChanges, auditEvents, calendarFeeds, users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import type { Deps } from "#platform/deps.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { parseFeed } from "#testing/ical.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { readFeed } from "./calendar.service.ts";

const file = useFileDeps();
const DAY_MS = 86_400_000;
const FEED_URL = /^http:\/\/localhost:3000\/api\/v1\/calendar\/([A-Za-z0-9_-]{43})\.ics$/;

function tokenOf(url: string): string {
  const token = FEED_URL.exec(url)?.[1];
  if (!token) throw new Error(`not a feed address: ${url}`);
  return token;
}

const read = (token: string, deps: Deps = file.deps) => readFeed(deps, token, "203.0.113.20");
const refusal = (token: string, deps?: Deps) =>
  read(token, deps).then(
    () => "answered",
    (error: unknown) => (error instanceof Error && "code" in error ? error.code : error),
  );

/** A doctor in Paris and a patient in Alger (locale fr), each signed in. */
async function pair() {
  const doctor = await makeDoctor(file.db, {
    timezone: "Europe/Paris",
    user: { firstName: "Amina", lastName: `Benali-${crypto.randomUUID().slice(0, 6)}` },
  });
  const patient = await makePatient(file.db, {
    user: { firstName: "Yacine", lastName: `Khelifi-${crypto.randomUUID().slice(0, 6)}`, locale: "fr" },
  });
  return {
    doctor: { ...doctor, caller: (await signIn(file.deps, doctor.user)).caller },
    patient: { ...patient, caller: (await signIn(file.deps, patient.user)).caller },
  };
}

describe("calendar feed addresses", () => {
  test("created, rotated and revoked: only the newest address answers, only its hash is stored, all audited", async () => {
    const { patient } = await pair();
    const first = await patient.caller.calendar.createFeed();
    const firstToken = tokenOf(first.url);
    const [stored] = await file.db
      .select()
      .from(calendarFeeds)
      .where(eq(calendarFeeds.userId, patient.user.id));
    expect(stored?.tokenHash).toBe(createHash("sha256").update(firstToken).digest("hex"));
    expect(JSON.stringify(stored)).not.toContain(firstToken);
    await read(firstToken);

    const second = await patient.caller.calendar.createFeed();
    const secondToken = tokenOf(second.url);
    expect(secondToken).not.toBe(firstToken);
    expect(await refusal(firstToken)).toBe("NOT_FOUND");
    await read(secondToken);

    expect(await patient.caller.calendar.revokeFeed()).toBeNull();
    expect(await refusal(secondToken)).toBe("NOT_FOUND");
    // Revoking again changes nothing and answers the same.
    expect(await patient.caller.calendar.revokeFeed()).toBeNull();

    const audited = await file.db
      .select({ action: auditEvents.action, targetId: auditEvents.targetId, details: auditEvents.details })
      .from(auditEvents)
      .where(eq(auditEvents.actorId, patient.user.id));
    expect(audited.filter((row) => row.action.startsWith("calendar_feed."))).toEqual([
      { action: "calendar_feed.created", targetId: patient.user.id, details: null },
      { action: "calendar_feed.rotated", targetId: patient.user.id, details: null },
      { action: "calendar_feed.revoked", targetId: patient.user.id, details: null },
    ]);
  });

  test("unknown, malformed and foreign-shaped tokens are NOT_FOUND", async () => {
    for (const token of ["A".repeat(43), "short", "A".repeat(44), `${"A".repeat(42)}=`, ""])
      expect(await refusal(token)).toBe("NOT_FOUND");
  });

  test("an owner deactivated, or no longer a patient or doctor, has no feed", async () => {
    const { patient, doctor } = await pair();
    const patientToken = tokenOf((await patient.caller.calendar.createFeed()).url);
    const doctorToken = tokenOf((await doctor.caller.calendar.createFeed()).url);
    await file.db.update(users).set({ isActive: false }).where(eq(users.id, patient.user.id));
    await file.db.update(users).set({ role: "STAFF" }).where(eq(users.id, doctor.user.id));
    expect(await refusal(patientToken)).toBe("NOT_FOUND");
    expect(await refusal(doctorToken)).toBe("NOT_FOUND");
  });

  test("STAFF and ADMIN get no feed address; they may revoke (nothing)", async () => {
    for (const role of ["STAFF", "ADMIN"] as const) {
      const { caller } = await signInAs(file.deps, role);
      await expect(caller.calendar.createFeed()).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await caller.calendar.revokeFeed()).toBeNull();
    }
  });
});

describe("a feed's content", () => {
  test("a patient's own appointments in the window, the doctor named, cancellations marked, no reason anywhere", async () => {
    const { doctor, patient } = await pair();
    const now = Date.now();
    const at = (days: number, hour = 9) =>
      new Date(Math.floor((now + days * DAY_MS) / DAY_MS) * DAY_MS + hour * 3_600_000);
    const booked = await makeAppointment(file.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.patient.id,
      startsAt: at(10),
      timezone: "Europe/Paris",
      reason: "Douleurs thoraciques depuis trois jours",
    });
    const cancelled = await makeAppointment(file.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.patient.id,
      startsAt: at(11),
      timezone: "Europe/Paris",
      status: "CANCELLED",
      reason: "Renouvellement ordonnance insuline",
      cancellationReason: "Hospitalisation imprévue",
    });
    const past = await makeAppointment(file.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.patient.id,
      startsAt: at(-30),
      timezone: "Europe/Paris",
      status: "COMPLETED",
    });
    await file.db.insert(appointmentChanges).values({
      appointmentId: booked.id,
      startsAt: at(9),
      endsAt: new Date(at(9).getTime() + 1_800_000),
      changedBy: patient.user.id,
      changedByRole: "PATIENT",
    });
    // Outside the window, and another patient's: not in this feed.
    const tooOld = await makeAppointment(file.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.patient.id,
      startsAt: at(-91),
      status: "COMPLETED",
    });
    const tooFar = await makeAppointment(file.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.patient.id,
      startsAt: at(367),
    });
    const { patient: stranger } = await makePatient(file.db);
    const strangers = await makeAppointment(file.db, {
      doctorId: doctor.doctor.id,
      patientId: stranger.id,
      startsAt: at(12),
    });

    const text = await read(tokenOf((await patient.caller.calendar.createFeed()).url));
    const feed = parseFeed(text);
    expect(feed.name).toBe("Rendez-vous");
    expect(feed.zones).toEqual(["Europe/Paris"]);
    const doctorName = `Dr Amina ${doctor.user.lastName}`;
    expect(feed.events.map((e) => [e.uid, e.status, e.sequence, e.tzid, e.start, e.summary])).toEqual([
      [
        `${past.id}@medical-backend`,
        "CONFIRMED",
        0,
        "Europe/Paris",
        past.startsAt,
        `Rendez-vous avec ${doctorName}`,
      ],
      [
        `${booked.id}@medical-backend`,
        "CONFIRMED",
        1,
        "Europe/Paris",
        booked.startsAt,
        `Rendez-vous avec ${doctorName}`,
      ],
      [
        `${cancelled.id}@medical-backend`,
        "CANCELLED",
        1,
        "Europe/Paris",
        cancelled.startsAt,
        `Rendez-vous avec ${doctorName}`,
      ],
    ]);
    for (const secret of [
      "Douleurs",
      "insuline",
      "Hospitalisation",
      stranger.id,
      tooOld.id,
      tooFar.id,
      strangers.id,
    ])
      expect(text).not.toContain(secret);
  });

  test("a doctor's feed names their patients; UIDs stay the same from one read to the next", async () => {
    const { doctor, patient } = await pair();
    const visit = await makeAppointment(file.db, {
      doctorId: doctor.doctor.id,
      patientId: patient.patient.id,
      timezone: "Europe/Paris",
      // Within the feed's window (the factory's default start is a decade away), on a whole second as
      // iCalendar writes it.
      startsAt: new Date(Math.floor(Date.now() / DAY_MS + 5) * DAY_MS + 9 * 3_600_000),
    });
    await file.db.update(users).set({ locale: "en" }).where(eq(users.id, doctor.user.id));
    const token = tokenOf((await doctor.caller.calendar.createFeed()).url);
    const once = parseFeed(await read(token));
    const twice = parseFeed(await read(token));
    expect(once.events).toHaveLength(1);
    expect(once.events[0]).toMatchObject({
      uid: `${visit.id}@medical-backend`,
      summary: `Appointment with Yacine ${patient.user.lastName}`,
      start: visit.startsAt,
      end: visit.endsAt,
    });
    expect(twice.events.map((e) => e.uid)).toEqual(once.events.map((e) => e.uid));
  });
});

describe("feed rate limits", () => {
  test("per feed, whatever address reads it: the third read in the window is RATE_LIMITED, another feed is not", async () => {
    const tight = makeTestDeps(file.handle, {
      settings: {
        rateLimits: { ...file.deps.settings.rateLimits, calendarFeed: [{ points: 2, durationMs: 60_000 }] },
      },
    });
    const { patient, doctor } = await pair();
    const token = tokenOf((await patient.caller.calendar.createFeed()).url);
    const other = tokenOf((await doctor.caller.calendar.createFeed()).url);
    await readFeed(tight, token, "198.51.100.1");
    await readFeed(tight, token, "198.51.100.2");
    await expect(readFeed(tight, token, "198.51.100.3")).rejects.toMatchObject({
      code: "RATE_LIMITED",
      details: { retryAfterSeconds: expect.any(Number) },
    });
    // A new address of the same feed does not reset its budget.
    const rotated = tokenOf((await patient.caller.calendar.createFeed()).url);
    await expect(readFeed(tight, rotated, "198.51.100.4")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await readFeed(tight, other, "198.51.100.1");
  });

  test("per client address, before any look-up: unknown tokens count too", async () => {
    const tight = makeTestDeps(file.handle, {
      settings: {
        rateLimits: { ...file.deps.settings.rateLimits, public: [{ points: 3, durationMs: 60_000 }] },
      },
    });
    const { patient } = await pair();
    const token = tokenOf((await patient.caller.calendar.createFeed()).url);
    for (let i = 0; i < 3; i++)
      await expect(readFeed(tight, "B".repeat(43), "198.51.100.77")).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    await expect(readFeed(tight, token, "198.51.100.77")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await readFeed(tight, token, "198.51.100.78");
  });
});
