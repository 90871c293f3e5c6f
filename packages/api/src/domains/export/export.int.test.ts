import { randomUUID } from "node:crypto";
import {
  type AuditEvent,
  appointmentChanges,
  appointments,
  auditEvents,
  billingEntries,
  doctors,
  reviews,
} from "@medical/db/schema";
import { asc, eq, gt, max, sql } from "drizzle-orm";
import { beforeAll, describe, expect, inject, test } from "vitest";
import { type BillingScene, billingScene } from "#testing/billing.ts";
import { makeTestDeps, testSettings } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeMedicalRecord } from "#testing/factories/records.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { someoneWaitsForALock } from "#testing/locks.ts";
import { refusalOf } from "#testing/refusal.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

/**
 * The patient data export (decision record 0028): every section is what the domain's routes
 * answer, deleted records included and marked; one audit event per export, with counts and no
 * value; refusals audited; hundreds of rows paged without a gap or a repeat.
 */
const file = useFileDeps();

type Seen = Pick<AuditEvent, "action" | "outcome" | "targetType" | "targetId" | "patientId" | "details">;

/** The audit events the call wrote, whether it answered or was refused. */
async function eventsOf(call: () => Promise<unknown>): Promise<Seen[]> {
  const [before] = await file.db.select({ last: max(auditEvents.id) }).from(auditEvents);
  await call().catch(() => undefined);
  const rows = await file.db
    .select()
    .from(auditEvents)
    .where(gt(auditEvents.id, before?.last ?? 0))
    .orderBy(auditEvents.id);
  return rows.map(({ action, outcome, targetType, targetId, patientId, details }) => ({
    action,
    outcome,
    targetType,
    targetId,
    patientId,
    details,
  }));
}

/**
 * A patient's file with one of everything: clinical fields, two appointments (one moved, one
 * cancelled with reasons), a record edited once, the patient's own note, a deleted record, a bill,
 * a policy and a rejected claim, a treating doctor's read of the profile, two reviews (one hidden
 * by moderation) beside another patient's of the same doctor, and two favourite doctors (one
 * deactivated since).
 */
async function fullFile(scene: BillingScene) {
  const cipher = file.deps.fieldCipher;
  const patientId = scene.patient.id;
  await scene.patient.caller.patients.updateMe({ clinical: { allergies: ["Pénicilline"], bloodType: "O+" } });
  const [doctor] = await file.db.select().from(appointments).where(eq(appointments.id, scene.appointment.id));
  if (!doctor) throw new Error("no appointment");
  await file.db.insert(appointmentChanges).values({
    appointmentId: scene.appointment.id,
    startsAt: new Date(scene.appointment.startsAt.getTime() - 86_400_000),
    endsAt: new Date(scene.appointment.endsAt.getTime() - 86_400_000),
    changedBy: scene.patient.user.id,
    changedByRole: "PATIENT",
  });
  const cancelled = await makeAppointment(file.db, {
    doctorId: doctor.doctorId,
    patientId,
    status: "CANCELLED",
    reason: "Toux persistante",
    cancellationReason: "Empêchement",
    cipher,
  });
  const edited = await makeMedicalRecord(file.db, { patientId, doctorId: doctor.doctorId, cipher });
  await scene.doctor.caller.medicalRecords.update({ id: edited.id, version: 1, clinicalNotes: "Mieux" });
  const note = await makeMedicalRecord(file.db, { patientId, cipher });
  const deleted = await makeMedicalRecord(file.db, { patientId, doctorId: doctor.doctorId, cipher });
  await scene.doctor.caller.medicalRecords.delete({ id: deleted.id, reason: "Saisi par erreur" });
  const entry = await makeBillingEntry(file.db, {
    patientId,
    appointmentId: scene.appointment.id,
    description: "Consultation et ECG",
    cipher,
  });
  const policy = await makePolicy(file.db, { patientId, policyNumber: "16-0412-7788-21", cipher });
  const claim = await makeClaim(file.db, {
    policyId: policy.id,
    billingEntryId: entry.id,
    status: "REJECTED",
    reason: "Hors nomenclature",
    cipher,
  });
  await scene.doctor.caller.patients.get({ id: patientId });
  const reviewed = await makeDoctor(file.db);
  const other = await makePatient(file.db);
  // One statement writes them at one instant: the first is dated a minute earlier, to be first.
  const [review, hidden, othersReview] = await file.db
    .insert(reviews)
    .values([
      {
        doctorId: doctor.doctorId,
        patientId,
        rating: 4,
        comment: "Attentive",
        createdAt: new Date(Date.now() - 60_000),
      },
      {
        doctorId: reviewed.doctor.id,
        patientId,
        rating: 1,
        comment: "Nomme un autre patient",
        hiddenAt: new Date(),
        hiddenReason: "Names another patient",
        hiddenBy: scene.admin.user.id,
      },
      { doctorId: doctor.doctorId, patientId: other.patient.id, rating: 5, comment: "Someone else's" },
    ])
    .returning();
  if (!review || !hidden || !othersReview) throw new Error("no reviews");
  await scene.patient.caller.favorites.add({ id: doctor.doctorId });
  await scene.patient.caller.favorites.add({ id: reviewed.doctor.id });
  const favorites = await scene.patient.caller.favorites.list({ limit: 10, order: "asc" });
  await file.db.update(doctors).set({ isActive: false }).where(eq(doctors.id, reviewed.doctor.id));
  return {
    cancelled,
    edited,
    note,
    deleted,
    entry,
    policy,
    claim,
    reviews: { review, hidden, othersReview },
    favorites: favorites.items,
  };
}

describe("GET /patients/me/export", () => {
  let scene: BillingScene;
  let rows: Awaited<ReturnType<typeof fullFile>>;
  beforeAll(async () => {
    scene = await billingScene(file.deps);
    rows = await fullFile(scene);
  });

  test("each section is what the domain's routes answer the patient, decrypted, oldest first", async () => {
    const { caller } = scene.patient;
    const logBefore = await caller.patients.accessLog({ limit: 100, order: "asc" });
    const document = await caller.patients.exportMe();

    expect(document.schemaVersion).toBe(1);
    expect(document.exportedAt).toBeInstanceOf(Date);
    expect(document.account).toEqual(await caller.users.me());
    expect(Object.keys(document.account).sort()).toEqual([
      "createdAt",
      "email",
      "emailVerified",
      "firstName",
      "id",
      "isActive",
      "lastName",
      "locale",
      "phone",
      "role",
      "timezone",
    ]);
    expect(JSON.stringify(document)).not.toContain(scene.patient.user.passwordHash ?? "no hash");
    expect(document.patient).toEqual(await caller.patients.me());
    expect(document.patient.clinical).toEqual({
      bloodType: "O+",
      allergies: ["Pénicilline"],
      chronicConditions: [],
      currentMedications: [],
    });

    expect(document.appointments.map((a) => a.id).sort()).toEqual(
      [scene.appointment.id, rows.cancelled.id].sort(),
    );
    const starts = document.appointments.map((a) => a.startsAt.getTime());
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    for (const appointment of document.appointments)
      expect(appointment).toEqual(await caller.appointments.get({ id: appointment.id }));
    const cancelled = document.appointments.find((a) => a.id === rows.cancelled.id);
    expect(cancelled).toMatchObject({ reason: "Toux persistante", cancellation: { reason: "Empêchement" } });
    expect(document.appointments.find((a) => a.id === scene.appointment.id)?.history).toHaveLength(1);

    expect(document.medicalRecords.map((r) => r.id)).toEqual([rows.edited.id, rows.note.id, rows.deleted.id]);
    for (const { versions, ...record } of document.medicalRecords) {
      if (record.id === rows.deleted.id) continue;
      expect(record).toEqual(await caller.medicalRecords.get({ id: record.id }));
      const listed = await caller.medicalRecords.versions({ id: record.id, limit: 100, order: "asc" });
      expect(versions).toEqual(listed.items);
    }
    expect(
      document.medicalRecords.find((r) => r.id === rows.edited.id)?.versions.map((v) => v.version),
    ).toEqual([1, 2]);

    expect(document.billing.entries).toEqual((await caller.billing.mine({ order: "asc" })).items);
    expect(document.billing.entries[0]?.description).toBe("Consultation et ECG");
    expect(document.billing.policies).toEqual((await caller.billing.policies.mine({ order: "asc" })).items);
    expect(document.billing.policies[0]?.policyNumber).toBe("16-0412-7788-21");
    expect(document.billing.claims).toEqual(
      (await caller.billing.claims.byPolicy({ policyId: rows.policy.id, order: "asc" })).items,
    );
    expect(document.billing.claims[0]).toMatchObject({ status: "REJECTED", reason: "Hors nomenclature" });

    const moderated = await scene.admin.caller.reviews.moderationList({
      patientId: scene.patient.id,
      order: "asc",
    });
    expect(document.reviews).toEqual(moderated.items);
    expect(document.reviews.map((r) => r.id)).toEqual([rows.reviews.review.id, rows.reviews.hidden.id]);
    expect(document.reviews[1]).toMatchObject({ hidden: { reason: "Names another patient" } });
    expect(JSON.stringify(document)).not.toContain(rows.reviews.othersReview.id);

    const [visible, deactivated] = rows.favorites;
    expect(document.favorites).toEqual([
      { doctorId: visible?.id, addedAt: expect.any(Date), doctor: visible },
      { doctorId: deactivated?.id, addedAt: expect.any(Date), doctor: null },
    ]);
    // The route lists the doctor the public still sees; the export keeps the other favourite too.
    expect((await caller.favorites.list({ limit: 10 })).items).toEqual([visible]);

    expect(document.accessLog).toEqual(logBefore.items);
    expect(document.accessLog).toContainEqual(
      expect.objectContaining({
        action: "patient.clinical.read",
        actor: expect.objectContaining({ kind: "CLINIC" }),
      }),
    );
  });

  test("a deleted record is in the export, marked with who deleted it, when and why; ADMIN reads the same", async () => {
    const document = await scene.patient.caller.patients.exportMe();
    const deleted = document.medicalRecords.find((r) => r.id === rows.deleted.id);
    expect(deleted?.deletion).toMatchObject({ by: { role: "DOCTOR" }, reason: "Saisi par erreur" });
    expect(deleted?.versions).toHaveLength(1);
    await expect(scene.patient.caller.medicalRecords.get({ id: rows.deleted.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const { versions: _versions, ...record } = deleted ?? { versions: [] };
    expect(record).toEqual(await scene.admin.caller.medicalRecords.get({ id: rows.deleted.id }));
  });

  test("ADMIN's export of the patient by id is the patient's own document", async () => {
    const own = await scene.patient.caller.patients.exportMe();
    const byAdmin = await scene.admin.caller.patients.export({ id: scene.patient.id });
    // The owner's export is in the log by the time ADMIN's is read; otherwise the same document.
    const { exportedAt: _a, accessLog: ownLog, ...ownRest } = own;
    const { exportedAt: _b, accessLog: adminLog, ...adminRest } = byAdmin;
    expect(adminRest).toEqual(ownRest);
    expect(adminLog.slice(0, ownLog.length)).toEqual(ownLog);
    expect(adminLog.slice(ownLog.length)).toEqual([
      expect.objectContaining({
        action: "patient.export",
        outcome: "SUCCESS",
        actor: expect.objectContaining({ kind: "SELF" }),
      }),
    ]);
  });

  test("one audit event per export: the patient, the counts per section, no value; listed in the access log", async () => {
    const logLength = (await scene.patient.caller.patients.exportMe()).accessLog.length;
    const events = await eventsOf(() => scene.patient.caller.patients.exportMe());
    expect(events).toEqual([
      {
        action: "patient.export",
        outcome: "SUCCESS",
        targetType: "patient",
        targetId: scene.patient.id,
        patientId: scene.patient.id,
        details: {
          schemaVersion: 1,
          account: 1,
          patient: 1,
          appointments: 2,
          appointmentChanges: 1,
          medicalRecords: 3,
          deletedMedicalRecords: 1,
          medicalRecordVersions: 4,
          billingEntries: 1,
          insurancePolicies: 1,
          insuranceClaims: 1,
          reviews: 2,
          favorites: 2,
          // The previous export's own event is in this one's log.
          accessLogEntries: logLength + 1,
          notifications: 0,
        },
      },
    ]);
    const adminEvents = await eventsOf(() => scene.admin.caller.patients.export({ id: scene.patient.id }));
    expect(adminEvents.map(({ action, outcome, patientId }) => ({ action, outcome, patientId }))).toEqual([
      { action: "patient.export", outcome: "SUCCESS", patientId: scene.patient.id },
    ]);
    const log = await scene.patient.caller.patients.accessLog({ limit: 5 });
    expect(log.items[0]).toMatchObject({
      action: "patient.export",
      actor: { kind: "CLINIC", role: "ADMIN" },
    });
  });

  test("refusals are audited: other roles, a patient without a profile, a non-ADMIN by id, an unknown id", async () => {
    const patientId = scene.patient.id;
    const denied = (over: Partial<Seen>): Seen => ({
      action: "patient.export",
      outcome: "DENIED",
      targetType: "patient",
      targetId: null,
      patientId: null,
      details: { reason: "role" },
      ...over,
    });
    for (const caller of [scene.doctor.caller, scene.staff.caller, scene.admin.caller]) {
      await expect(caller.patients.exportMe()).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await eventsOf(() => caller.patients.exportMe())).toEqual([denied({})]);
    }
    for (const caller of [scene.patient.caller, scene.doctor.caller, scene.staff.caller]) {
      await expect(caller.patients.export({ id: patientId })).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await eventsOf(() => caller.patients.export({ id: patientId }))).toEqual([
        denied({ targetId: patientId, patientId }),
      ]);
    }
    const noProfile = (await signInAs(file.deps, "PATIENT")).caller;
    await expect(noProfile.patients.exportMe()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await eventsOf(() => noProfile.patients.exportMe())).toEqual([
      denied({ details: { reason: "no_profile" } }),
    ]);
    const unknown = randomUUID();
    await expect(scene.admin.caller.patients.export({ id: unknown })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await eventsOf(() => scene.admin.caller.patients.export({ id: unknown }))).toEqual([
      denied({ targetId: unknown, details: { reason: "not_found" } }),
    ]);
    // The staff's attempt on the file is in the patient's access log.
    const log = await scene.patient.caller.patients.accessLog({ limit: 100, includeOwn: false });
    expect(log.items).toContainEqual(
      expect.objectContaining({
        action: "patient.export",
        outcome: "DENIED",
        actor: expect.objectContaining({ kind: "CLINIC", role: "STAFF" }),
      }),
    );
  });

  test("a text that does not decrypt fails the export, audited as a FAILURE naming the section", async () => {
    const { patient, user } = await makePatient(file.db);
    const cipher = file.deps.fieldCipher;
    const entry = await makeBillingEntry(file.db, { patientId: patient.id, cipher });
    const other = await makeBillingEntry(file.db, { patientId: patient.id, cipher });
    // Another row's ciphertext: bound to that row, it does not decrypt here.
    await file.db
      .update(billingEntries)
      .set({ description: other.description })
      .where(eq(billingEntries.id, entry.id));
    const { caller } = await signIn(file.deps, user);
    await expect(caller.patients.exportMe()).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
    expect(await eventsOf(() => caller.patients.exportMe())).toEqual([
      {
        action: "patient.export",
        outcome: "FAILURE",
        targetType: "patient",
        targetId: patient.id,
        patientId: patient.id,
        details: { reason: "undecryptable", section: "billing" },
      },
    ]);
  });
});

describe("a few exports per user in a window (RATE_LIMIT_EXPORT)", () => {
  test("past the limit RATE_LIMITED with the wait, nothing read nor audited; each user, ADMIN too, counts alone", async () => {
    const limited = makeTestDeps(file.handle, {
      settings: { rateLimits: { ...testSettings.rateLimits, export: [{ points: 2, durationMs: 600_000 }] } },
    });
    const { patient, user } = await makePatient(file.db);
    const { caller } = await signIn(limited, user);
    await caller.patients.exportMe();
    await caller.patients.exportMe();
    const refusal = await refusalOf(caller.patients.exportMe());
    expect(refusal).toMatchObject({
      appCode: "RATE_LIMITED",
      details: { retryAfterSeconds: expect.any(Number) },
    });
    expect(refusal.details?.retryAfterSeconds).toBeGreaterThan(500);
    expect(await eventsOf(() => caller.patients.exportMe())).toEqual([]);

    const other = await makePatient(file.db);
    const otherCaller = (await signIn(limited, other.user)).caller;
    await expect(otherCaller.patients.exportMe()).resolves.toMatchObject({
      patient: { id: other.patient.id },
    });
    const { caller: admin } = await signInAs(limited, "ADMIN");
    await admin.patients.export({ id: patient.id });
    await admin.patients.export({ id: other.patient.id });
    expect(await refusalOf(admin.patients.export({ id: patient.id }))).toMatchObject({
      appCode: "RATE_LIMITED",
    });
    // A refused role reads nothing, so it spends nothing: still FORBIDDEN, audited, every time.
    const { caller: doctor } = await signInAs(limited, "DOCTOR");
    for (let attempt = 0; attempt < 3; attempt += 1)
      expect(await refusalOf(doctor.patients.exportMe())).toMatchObject({ appCode: "FORBIDDEN" });
  });
});

describe("exports of files of every size", () => {
  test("a deactivated profile still exports (the right of access outlives the profile's use)", async () => {
    const { patient, user } = await makePatient(file.db, { isActive: false });
    const { caller } = await signIn(file.deps, user);
    const document = await caller.patients.exportMe();
    expect(document.patient).toMatchObject({ id: patient.id, isActive: false, clinical: { allergies: [] } });
    expect(document).toMatchObject({ appointments: [], medicalRecords: [], billing: { entries: [] } });
  });

  test("hundreds of appointments and log entries, ties on their sort keys: every row once, in order", async () => {
    const { patient, user } = await makePatient(file.db);
    const doctors = await Promise.all([makeDoctor(file.db), makeDoctor(file.db), makeDoctor(file.db)]);
    const base = Date.UTC(2026, 0, 5, 8);
    // Three doctors at the same 90 starts: 270 appointments, ties on the start across pages of 100
    // (one visit per start, the others cancelled: a patient is never in two visits at once).
    for (let slot = 0; slot < 90; slot += 1)
      for (const [index, { doctor }] of doctors.entries())
        await makeAppointment(file.db, {
          doctorId: doctor.id,
          patientId: patient.id,
          startsAt: new Date(base + slot * 3_600_000),
          status: index === 0 ? "COMPLETED" : "CANCELLED",
        });
    const ids = await file.db
      .select({ id: appointments.id })
      .from(appointments)
      .where(eq(appointments.patientId, patient.id))
      .orderBy(asc(appointments.startsAt), asc(appointments.id));
    const moved = ids.filter((_, index) => index % 5 === 0);
    await file.db.insert(appointmentChanges).values(
      moved.map(({ id }) => ({
        appointmentId: id,
        startsAt: new Date(base - 86_400_000),
        endsAt: new Date(base - 84_600_000),
        changedBy: user.id,
        changedByRole: "PATIENT" as const,
      })),
    );
    // 150 events at one instant: the log's ties are broken by id.
    const at = new Date("2026-01-04T10:00:00.000Z");
    await file.db.insert(auditEvents).values(
      Array.from({ length: 150 }, () => ({
        action: "patient.clinical.read",
        outcome: "SUCCESS" as const,
        targetType: "patient",
        targetId: patient.id,
        patientId: patient.id,
        actorId: user.id,
        actorRole: "PATIENT",
        occurredAt: at,
      })),
    );

    const { caller } = await signIn(file.deps, user);
    const events = await eventsOf(async () => {
      const document = await caller.patients.exportMe();
      expect(document.appointments.map((a) => a.id)).toEqual(ids.map((row) => row.id));
      expect(document.appointments.filter((a) => a.history.length === 1).map((a) => a.id)).toEqual(
        moved.map((row) => row.id),
      );
      const logIds = document.accessLog.map((entry) => entry.id);
      expect(logIds).toHaveLength(150);
      expect(logIds).toEqual([...logIds].sort((a, b) => a - b));
    });
    expect(events.map((event) => event.details)).toEqual([
      expect.objectContaining({ appointments: 270, appointmentChanges: moved.length, accessLogEntries: 150 }),
    ]);
  });
});

describe.skipIf(inject("testDatabase").kind !== "postgres")("one snapshot (PostgreSQL)", () => {
  test("a bill committed while the export reads is not in it: every section is read from one snapshot", async () => {
    const { patient, user } = await makePatient(file.db);
    const { caller } = await signIn(file.deps, user);
    let exporting: Promise<unknown> = Promise.resolve();
    await file.db.transaction(async (tx) => {
      // Holds the export at its records, after its first reads took the snapshot.
      await tx.execute(sql`lock table medical_records in access exclusive mode`);
      exporting = caller.patients.exportMe();
      exporting.catch(() => undefined);
      await someoneWaitsForALock(file.db);
      // Committed on a connection of its own while the export waits: a later read in READ
      // COMMITTED would see it, the export's snapshot does not.
      await makeBillingEntry(file.db, { patientId: patient.id, cipher: file.deps.fieldCipher });
    });
    expect(await exporting).toMatchObject({ billing: { entries: [] } });
    const after = await caller.patients.exportMe();
    expect(after.billing.entries).toHaveLength(1);
  });
});
