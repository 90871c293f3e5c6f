import { selectRows } from "@medical/db";
import { auditEvents, domainEvents, medicalRecords, medicalRecordVersions } from "@medical/db/schema";
import { TRPCError } from "@trpc/server";
import { asc, desc, eq, gt, sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import type { Caller } from "#testing/caller.ts";
import { thrownFacts } from "#testing/caller.ts";
import { TEST_ENCRYPTION_KEY } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeMedicalRecord } from "#testing/factories/records.ts";
import { makeUser } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { type SignedIn, signIn, signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

const conflict = (appCode: string) => ({ code: "CONFLICT", cause: { code: appCode } });
const notFound = { code: "NOT_FOUND" };
const forbidden = { code: "FORBIDDEN" };
const badRequest = { code: "BAD_REQUEST" };

interface Cast {
  patient: SignedIn & { patientId: string };
  other: SignedIn & { patientId: string };
  /** Treats the patient (a COMPLETED visit, `visitId`); writes the clinical entries. */
  doctor: SignedIn & { doctorId: string; visitId: string };
  /** Treats the patient too (a SCHEDULED visit), writes nothing. */
  colleague: SignedIn & { doctorId: string; visitId: string };
  stranger: SignedIn;
  staff: SignedIn;
  admin: SignedIn;
}

/** A patient with two doctors who treat them, another patient, an unrelated doctor, STAFF and ADMIN. */
async function cast(): Promise<Cast> {
  const p = await makePatient(file.db);
  const q = await makePatient(file.db);
  const d = await makeDoctor(file.db);
  const c = await makeDoctor(file.db);
  const visit = await makeAppointment(file.db, {
    doctorId: d.doctor.id,
    patientId: p.patient.id,
    status: "COMPLETED",
  });
  const booked = await makeAppointment(file.db, { doctorId: c.doctor.id, patientId: p.patient.id });
  return {
    patient: { ...(await signIn(file.deps, p.user)), patientId: p.patient.id },
    other: { ...(await signIn(file.deps, q.user)), patientId: q.patient.id },
    doctor: { ...(await signIn(file.deps, d.user)), doctorId: d.doctor.id, visitId: visit.id },
    colleague: { ...(await signIn(file.deps, c.user)), doctorId: c.doctor.id, visitId: booked.id },
    stranger: await signIn(file.deps, (await makeDoctor(file.db)).user),
    staff: await signInAs(file.deps, "STAFF"),
    admin: await signInAs(file.deps, "ADMIN"),
  };
}

const clinicalInput = (patientId: string, text = "Dyspnée d'effort") => ({
  patientId,
  diagnoses: [{ code: "j45.9", description: "Asthme" }],
  treatmentPlan: "Traitement de fond inhalé",
  prescriptions: [
    { medication: "Salbutamol", dosage: "2 bouffées", route: "inhalée", frequency: "si besoin" },
  ],
  clinicalNotes: text,
  followUpDate: "2027-03-01",
});

/** The audit events `run` wrote (what it answered does not matter here), oldest first. */
async function auditOf(run: () => Promise<unknown>) {
  const [last] = await file.db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .orderBy(desc(auditEvents.id))
    .limit(1);
  await run().catch(() => undefined);
  const rows = await file.db
    .select()
    .from(auditEvents)
    .where(gt(auditEvents.id, last?.id ?? 0))
    .orderBy(asc(auditEvents.id));
  return rows.map(({ action, outcome, actorId, actorRole, targetId, patientId, resourceIds, details }) => ({
    action,
    outcome,
    actorId,
    actorRole,
    targetId,
    patientId,
    resourceIds,
    details,
  }));
}

const outboxOf = (recordId: string) =>
  file.db
    .select({ type: domainEvents.type, actorId: domainEvents.actorId, payload: domainEvents.payload })
    .from(domainEvents)
    .where(sql`${domainEvents.payload}->>'recordId' = ${recordId}`)
    .orderBy(asc(domainEvents.seq));

let people: Cast;
beforeAll(async () => {
  people = await cast();
});

describe("writing a clinical record", () => {
  test("a treating doctor writes one: ICD-10 codes upper-cased, version 1, one audit event, one outbox event", async () => {
    const { doctor, patient } = people;
    let created: Awaited<ReturnType<Caller["medicalRecords"]["create"]>> | undefined;
    const audit = await auditOf(async () => {
      created = await doctor.caller.medicalRecords.create({
        ...clinicalInput(patient.patientId),
        appointmentId: doctor.visitId,
      });
    });
    expect(created).toMatchObject({
      kind: "CLINICAL",
      patient: { id: patient.patientId, lastName: patient.user.lastName },
      doctor: { id: doctor.doctorId, lastName: doctor.user.lastName },
      appointmentId: doctor.visitId,
      diagnoses: [{ code: "J45.9", description: "Asthme" }],
      prescriptions: [{ medication: "Salbutamol", duration: null, instructions: null }],
      followUpDate: "2027-03-01",
      note: null,
      version: 1,
      deletion: null,
    });
    const id = created?.id ?? "";
    expect(audit).toEqual([
      {
        action: "medical_record.created",
        outcome: "SUCCESS",
        actorId: doctor.user.id,
        actorRole: "DOCTOR",
        targetId: id,
        patientId: patient.patientId,
        resourceIds: null,
        details: { kind: "CLINICAL", version: 1 },
      },
    ]);
    expect(await outboxOf(id)).toEqual([
      {
        type: "medical_record.created",
        actorId: doctor.user.id,
        payload: {
          v: 1,
          recordId: id,
          patientId: patient.patientId,
          doctorId: doctor.doctorId,
          kind: "CLINICAL",
          actorId: doctor.user.id,
        },
      },
    ]);
  });

  test("for a patient the doctor does not treat: NOT_FOUND, audited as a denied write, nothing written", async () => {
    const { stranger, patient } = people;
    const before = await file.db.select({ n: sql<number>`count(*)::int` }).from(medicalRecords);
    const audit = await auditOf(() =>
      expect(stranger.caller.medicalRecords.create(clinicalInput(patient.patientId))).rejects.toMatchObject(
        notFound,
      ),
    );
    expect(audit).toMatchObject([
      {
        action: "medical_record.created",
        outcome: "DENIED",
        actorId: stranger.user.id,
        patientId: null,
        details: { reason: "not_treated", requestedPatientId: patient.patientId },
      },
    ]);
    expect(await file.db.select({ n: sql<number>`count(*)::int` }).from(medicalRecords)).toEqual(before);
  });

  test("an appointment reference must be the doctor's own with that patient, not cancelled: else 400 naming it", async () => {
    const { doctor, colleague, patient, other } = people;
    const cancelled = await makeAppointment(file.db, {
      doctorId: doctor.doctorId,
      patientId: patient.patientId,
      status: "CANCELLED",
    });
    // The doctor treats the other patient too: their appointment exists, but is not this patient's.
    const otherVisit = await makeAppointment(file.db, {
      doctorId: doctor.doctorId,
      patientId: other.patientId,
    });
    for (const appointmentId of [colleague.visitId, cancelled.id, otherVisit.id, crypto.randomUUID()]) {
      const audit = await auditOf(async () => {
        const error = await doctor.caller.medicalRecords
          .create({ ...clinicalInput(patient.patientId), appointmentId })
          .catch((e: unknown) => e);
        expect(error).toMatchObject(badRequest);
        expect(thrownFacts(error)).toMatchObject({
          appCode: "VALIDATION_FAILED",
          issues: [{ path: ["appointmentId"] }],
        });
      });
      expect(audit).toMatchObject([
        { action: "medical_record.created", outcome: "DENIED", details: { reason: "bad_appointment" } },
      ]);
    }
  });

  test("only doctors write clinical records; STAFF is refused and audited; a doctor without a profile is 409", async () => {
    const { patient, staff, admin } = people;
    for (const who of [patient, admin]) {
      await expect(who.caller.medicalRecords.create(clinicalInput(patient.patientId))).rejects.toMatchObject(
        forbidden,
      );
    }
    const audit = await auditOf(() =>
      expect(staff.caller.medicalRecords.create(clinicalInput(patient.patientId))).rejects.toMatchObject(
        forbidden,
      ),
    );
    expect(audit).toMatchObject([
      {
        action: "medical_record.created",
        outcome: "DENIED",
        actorRole: "STAFF",
        details: { reason: "role" },
      },
    ]);
    const bare = await signInAs(file.deps, "DOCTOR");
    await expect(bare.caller.medicalRecords.create(clinicalInput(patient.patientId))).rejects.toMatchObject(
      conflict("PROFILE_REQUIRED"),
    );
  });
});

describe("a patient's history notes", () => {
  test("POST /medical-records/me adds a PATIENT_REPORTED note to their own file, audited and published", async () => {
    const { patient } = people;
    let note: Awaited<ReturnType<Caller["medicalRecords"]["addMine"]>> | undefined;
    const audit = await auditOf(async () => {
      note = await patient.caller.medicalRecords.addMine({ note: "  Appendicectomie en 2012  " });
    });
    expect(note).toMatchObject({
      kind: "PATIENT_REPORTED",
      patient: { id: patient.patientId },
      doctor: null,
      note: "Appendicectomie en 2012",
      diagnoses: [],
      version: 1,
    });
    expect(audit).toMatchObject([
      {
        action: "medical_record.created",
        outcome: "SUCCESS",
        patientId: patient.patientId,
        targetId: note?.id,
      },
    ]);
    expect(await outboxOf(note?.id ?? "")).toMatchObject([
      { type: "medical_record.created", payload: { kind: "PATIENT_REPORTED", doctorId: null } },
    ]);
  });

  test("a patient account without a profile is 409 PROFILE_REQUIRED; its list is empty", async () => {
    const bare = await signIn(file.deps, await makeUser(file.db, { role: "PATIENT" }));
    await expect(bare.caller.medicalRecords.addMine({ note: "Allergie" })).rejects.toMatchObject(
      conflict("PROFILE_REQUIRED"),
    );
    await expect(bare.caller.medicalRecords.mine({})).resolves.toEqual({ items: [], nextCursor: null });
  });

  test("the patient edits and deletes their note; no doctor ever does, not even one who treats them", async () => {
    const { patient, doctor, colleague } = people;
    const note = await patient.caller.medicalRecords.addMine({ note: "Asthme dans l'enfance" });
    for (const who of [doctor, colleague]) {
      await expect(
        who.caller.medicalRecords.update({ id: note.id, version: 1, note: "Réécrit" }),
      ).rejects.toMatchObject(forbidden);
      await expect(
        who.caller.medicalRecords.delete({ id: note.id, reason: "Doublon" }),
      ).rejects.toMatchObject(forbidden);
    }
    const edited = await patient.caller.medicalRecords.update({
      id: note.id,
      version: 1,
      note: "Asthme jusqu'à 12 ans",
    });
    expect(edited).toMatchObject({ note: "Asthme jusqu'à 12 ans", version: 2, kind: "PATIENT_REPORTED" });
    await patient.caller.medicalRecords.delete({ id: note.id, reason: "Je le réécris" });
    await expect(patient.caller.medicalRecords.get({ id: note.id })).rejects.toMatchObject(notFound);
  });
});

describe("reads, lists and their audit events", () => {
  test("GET /medical-records/{id}: one read event; a refused read one DENIED event; STAFF 403, audited", async () => {
    const { patient, doctor, stranger, staff, admin } = people;
    const record = await doctor.caller.medicalRecords.create(clinicalInput(patient.patientId));
    for (const who of [patient, doctor, admin]) {
      const audit = await auditOf(() =>
        expect(who.caller.medicalRecords.get({ id: record.id })).resolves.toEqual(record),
      );
      expect(audit).toEqual([
        {
          action: "medical_record.read",
          outcome: "SUCCESS",
          actorId: who.user.id,
          actorRole: who.user.role,
          targetId: record.id,
          patientId: patient.patientId,
          resourceIds: null,
          details: null,
        },
      ]);
    }
    const refused = await auditOf(() =>
      expect(stranger.caller.medicalRecords.get({ id: record.id })).rejects.toMatchObject(notFound),
    );
    expect(refused).toMatchObject([
      {
        action: "medical_record.read",
        outcome: "DENIED",
        targetId: record.id,
        patientId: null,
        details: { reason: "not_visible" },
      },
    ]);
    const byRole = await auditOf(() =>
      expect(staff.caller.medicalRecords.get({ id: record.id })).rejects.toMatchObject(forbidden),
    );
    expect(byRole).toMatchObject([
      { action: "medical_record.read", outcome: "DENIED", details: { reason: "role" } },
    ]);
  });

  test("lists: one event naming the ids returned; newest first, keyset pages, filters", async () => {
    const p = await makePatient(file.db);
    const d = await makeDoctor(file.db);
    await makeAppointment(file.db, { doctorId: d.doctor.id, patientId: p.patient.id, status: "COMPLETED" });
    const patient = await signIn(file.deps, p.user);
    const doctor = await signIn(file.deps, d.user);
    const ids: string[] = [];
    for (const [index, text] of ["Premier", "Deuxième", "Troisième"].entries()) {
      const record =
        index === 1
          ? await patient.caller.medicalRecords.addMine({ note: text })
          : await doctor.caller.medicalRecords.create(clinicalInput(p.patient.id, text));
      ids.push(record.id);
    }
    const newestFirst = [...ids].reverse();
    const audit = await auditOf(async () => {
      const first = await patient.caller.medicalRecords.mine({ limit: 2 });
      expect(first.items.map((item) => item.id)).toEqual(newestFirst.slice(0, 2));
      const next = await patient.caller.medicalRecords.mine({ limit: 2, cursor: first.nextCursor ?? "" });
      expect(next).toMatchObject({ items: [{ id: newestFirst[2] }], nextCursor: null });
    });
    expect(audit).toEqual([
      expect.objectContaining({
        action: "medical_record.list",
        outcome: "SUCCESS",
        patientId: p.patient.id,
        resourceIds: newestFirst.slice(0, 2),
        details: { view: "patient" },
      }),
      expect.objectContaining({ resourceIds: [newestFirst[2]] }),
    ]);
    const oldestFirst = await doctor.caller.medicalRecords.doctorMine({ order: "asc" });
    expect(oldestFirst.items.map((item) => item.id)).toEqual(ids);
    const notes = await doctor.caller.medicalRecords.doctorMine({ kind: "PATIENT_REPORTED" });
    expect(notes.items.map((item) => item.id)).toEqual([ids[1]]);
    const doctorAudit = await auditOf(() =>
      doctor.caller.medicalRecords.doctorMine({ patientId: p.patient.id, authoredByMe: true }),
    );
    expect(doctorAudit).toEqual([
      expect.objectContaining({
        action: "medical_record.list",
        patientId: p.patient.id,
        resourceIds: [ids[2], ids[0]],
        details: { view: "doctor" },
      }),
    ]);
    await expect(patient.caller.medicalRecords.mine({ cursor: "bm90LWEtY3Vyc29y" })).rejects.toMatchObject(
      badRequest,
    );
    await expect(
      doctor.caller.medicalRecords.doctorMine({ sort: "updatedAt", limit: 101 }),
    ).rejects.toMatchObject(badRequest);
  });
});

describe("versions and stale versions", () => {
  test("every edit keeps the previous version: author, patient and ADMIN read them all, newest first", async () => {
    const { patient, doctor, colleague, admin } = people;
    const record = await doctor.caller.medicalRecords.create(clinicalInput(patient.patientId, "Version 1"));
    const editAudit = await auditOf(() =>
      doctor.caller.medicalRecords.update({
        id: record.id,
        version: 1,
        clinicalNotes: "Version 2",
        followUpDate: null,
      }),
    );
    expect(editAudit).toEqual([
      expect.objectContaining({
        action: "medical_record.updated",
        outcome: "SUCCESS",
        targetId: record.id,
        patientId: patient.patientId,
        details: { version: 2, fields: "clinicalNotes,followUpDate" },
      }),
    ]);
    const third = await admin.caller.medicalRecords.update({
      id: record.id,
      version: 2,
      treatmentPlan: null,
    });
    expect(third).toMatchObject({
      version: 3,
      clinicalNotes: "Version 2",
      treatmentPlan: null,
      followUpDate: null,
    });
    expect(
      (await outboxOf(record.id)).map((event) => [event.type, event.payload.version, event.actorId]),
    ).toEqual([
      ["medical_record.created", undefined, doctor.user.id],
      ["medical_record.updated", 2, doctor.user.id],
      ["medical_record.updated", 3, admin.user.id],
    ]);
    for (const who of [doctor, patient, admin]) {
      const audit = await auditOf(async () => {
        const page = await who.caller.medicalRecords.versions({ id: record.id });
        expect(page.items.map((v) => [v.version, v.clinicalNotes, v.editedBy.role, v.followUpDate])).toEqual([
          [3, "Version 2", "ADMIN", null],
          [2, "Version 2", "DOCTOR", null],
          [1, "Version 1", "DOCTOR", "2027-03-01"],
        ]);
        expect(page.items[2]?.treatmentPlan).toBe("Traitement de fond inhalé");
      });
      expect(audit).toEqual([
        expect.objectContaining({
          action: "medical_record.versions",
          outcome: "SUCCESS",
          targetId: record.id,
          resourceIds: expect.any(Array),
        }),
      ]);
      expect(audit[0]?.resourceIds).toHaveLength(3);
    }
    const paged = await patient.caller.medicalRecords.versions({ id: record.id, limit: 2, order: "asc" });
    expect(paged.items.map((v) => v.version)).toEqual([1, 2]);
    // A doctor who reads the record without having written it does not read its history.
    await expect(colleague.caller.medicalRecords.get({ id: record.id })).resolves.toMatchObject({
      version: 3,
    });
    const refused = await auditOf(() =>
      expect(colleague.caller.medicalRecords.versions({ id: record.id })).rejects.toMatchObject(notFound),
    );
    expect(refused).toMatchObject([
      { action: "medical_record.versions", outcome: "DENIED", details: { reason: "not_author" } },
    ]);
  });

  test("a PATCH naming a version that is not the current one is 409 STALE_VERSION, audited, nothing written", async () => {
    const { patient, doctor } = people;
    const record = await doctor.caller.medicalRecords.create(clinicalInput(patient.patientId));
    await doctor.caller.medicalRecords.update({
      id: record.id,
      version: 1,
      clinicalNotes: "Premier éditeur",
    });
    const audit = await auditOf(() =>
      expect(
        doctor.caller.medicalRecords.update({ id: record.id, version: 1, clinicalNotes: "Second éditeur" }),
      ).rejects.toMatchObject(conflict("STALE_VERSION")),
    );
    expect(audit).toMatchObject([
      {
        action: "medical_record.updated",
        outcome: "DENIED",
        targetId: record.id,
        details: { reason: "stale_version" },
      },
    ]);
    await expect(
      doctor.caller.medicalRecords.update({ id: record.id, version: 9, clinicalNotes: "Du futur" }),
    ).rejects.toMatchObject(conflict("STALE_VERSION"));
    await expect(doctor.caller.medicalRecords.get({ id: record.id })).resolves.toMatchObject({
      version: 2,
      clinicalNotes: "Premier éditeur",
    });
    const versions = await file.db
      .select({ version: medicalRecordVersions.version })
      .from(medicalRecordVersions)
      .where(eq(medicalRecordVersions.recordId, record.id));
    expect(versions).toHaveLength(2);
  });

  test("two editors of one version at once: exactly one wins, the other gets STALE_VERSION", async () => {
    const { patient, doctor, admin } = people;
    const record = await doctor.caller.medicalRecords.create(clinicalInput(patient.patientId));
    const outcomes = await Promise.allSettled([
      doctor.caller.medicalRecords.update({ id: record.id, version: 1, clinicalNotes: "Docteur" }),
      admin.caller.medicalRecords.update({ id: record.id, version: 1, clinicalNotes: "Admin" }),
      doctor.caller.medicalRecords.update({ id: record.id, version: 1, treatmentPlan: "Autre plan" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const outcome of outcomes)
      if (outcome.status === "rejected") expect(outcome.reason).toMatchObject(conflict("STALE_VERSION"));
    const [row] = await file.db.select().from(medicalRecords).where(eq(medicalRecords.id, record.id));
    expect(row?.version).toBe(2);
  });
});

describe("soft delete", () => {
  test("a deleted record is hidden from everyone but ADMIN, who sees who deleted it, when and why; nothing is erased", async () => {
    const { patient, doctor, colleague, admin } = people;
    const record = await doctor.caller.medicalRecords.create(clinicalInput(patient.patientId));
    const audit = await auditOf(() =>
      doctor.caller.medicalRecords.delete({ id: record.id, reason: "Saisi sur le mauvais dossier" }),
    );
    expect(audit).toEqual([
      expect.objectContaining({
        action: "medical_record.deleted",
        outcome: "SUCCESS",
        targetId: record.id,
        patientId: patient.patientId,
        details: { version: 1 },
      }),
    ]);
    expect(await outboxOf(record.id)).toMatchObject([
      { type: "medical_record.created" },
      { type: "medical_record.deleted", actorId: doctor.user.id, payload: { recordId: record.id } },
    ]);
    for (const who of [patient, doctor, colleague]) {
      await expect(who.caller.medicalRecords.get({ id: record.id })).rejects.toMatchObject(notFound);
      await expect(who.caller.medicalRecords.versions({ id: record.id })).rejects.toMatchObject(notFound);
      await expect(
        who.caller.medicalRecords.update({ id: record.id, version: 1, clinicalNotes: "Après" }),
      ).rejects.toMatchObject(notFound);
    }
    expect((await patient.caller.medicalRecords.mine({ limit: 100 })).items.map((i) => i.id)).not.toContain(
      record.id,
    );
    expect(
      (await doctor.caller.medicalRecords.doctorMine({ limit: 100 })).items.map((i) => i.id),
    ).not.toContain(record.id);
    const seen = await admin.caller.medicalRecords.get({ id: record.id });
    expect(seen).toMatchObject({
      id: record.id,
      clinicalNotes: record.clinicalNotes,
      deletion: { by: { userId: doctor.user.id, role: "DOCTOR" }, reason: "Saisi sur le mauvais dossier" },
    });
    expect((await admin.caller.medicalRecords.versions({ id: record.id })).items).toHaveLength(1);
    await expect(
      admin.caller.medicalRecords.delete({ id: record.id, reason: "Encore" }),
    ).rejects.toMatchObject(conflict("CONFLICT"));
    await expect(
      admin.caller.medicalRecords.update({ id: record.id, version: 1, clinicalNotes: "Après" }),
    ).rejects.toMatchObject(conflict("CONFLICT"));
  });

  test("the database refuses to delete records or versions, and to rewrite a version's facts", async () => {
    const { patient, doctor } = people;
    const record = await doctor.caller.medicalRecords.create(clinicalInput(patient.patientId));
    await expect(
      file.db.delete(medicalRecordVersions).where(eq(medicalRecordVersions.recordId, record.id)),
    ).rejects.toThrow();
    await expect(file.db.delete(medicalRecords).where(eq(medicalRecords.id, record.id))).rejects.toThrow();
    await expect(file.db.execute(sql`truncate medical_records cascade`)).rejects.toThrow();
    await expect(
      file.db
        .update(medicalRecordVersions)
        .set({ followUpDate: "2030-01-01" })
        .where(eq(medicalRecordVersions.recordId, record.id)),
    ).rejects.toThrow();
    await expect(doctor.caller.medicalRecords.get({ id: record.id })).resolves.toMatchObject({ version: 1 });
  });
});

describe("the care relationship", () => {
  test("a doctor whose appointment was cancelled keeps reading what they wrote, but changes nothing and sees no other entry", async () => {
    const p = await makePatient(file.db);
    const d = await makeDoctor(file.db);
    const other = await makeDoctor(file.db);
    const visit = await makeAppointment(file.db, { doctorId: d.doctor.id, patientId: p.patient.id });
    await makeAppointment(file.db, {
      doctorId: other.doctor.id,
      patientId: p.patient.id,
      status: "COMPLETED",
    });
    const doctor = await signIn(file.deps, d.user);
    const colleague = await signIn(file.deps, other.user);
    const mine = await doctor.caller.medicalRecords.create({
      ...clinicalInput(p.patient.id),
      appointmentId: visit.id,
    });
    const theirs = await colleague.caller.medicalRecords.create(clinicalInput(p.patient.id));
    const admin = await signInAs(file.deps, "ADMIN");
    await admin.caller.appointments.cancel({ id: visit.id, reason: "Empêchement" });

    await expect(doctor.caller.medicalRecords.get({ id: mine.id })).resolves.toMatchObject({ id: mine.id });
    await expect(doctor.caller.medicalRecords.versions({ id: mine.id })).resolves.toMatchObject({
      items: [{ version: 1 }],
    });
    await expect(doctor.caller.medicalRecords.get({ id: theirs.id })).rejects.toMatchObject(notFound);
    const listed = await doctor.caller.medicalRecords.doctorMine({ patientId: p.patient.id });
    expect(listed.items.map((item) => item.id)).toEqual([mine.id]);
    const refused = await auditOf(() =>
      expect(
        doctor.caller.medicalRecords.update({ id: mine.id, version: 1, clinicalNotes: "Ajout" }),
      ).rejects.toMatchObject(forbidden),
    );
    expect(refused).toMatchObject([
      {
        action: "medical_record.updated",
        outcome: "DENIED",
        patientId: p.patient.id,
        details: { reason: "not_treated" },
      },
    ]);
    await expect(doctor.caller.medicalRecords.create(clinicalInput(p.patient.id))).rejects.toMatchObject(
      notFound,
    );
  });
});

describe("bad input is a 400 or a 409, never a 500", () => {
  test("create, PATCH and DELETE refuse what their schemas or the record's kind do not allow", async () => {
    const { patient, doctor } = people;
    const record = await doctor.caller.medicalRecords.create(clinicalInput(patient.patientId));
    const note = await patient.caller.medicalRecords.addMine({ note: "Allergie" });
    const refusals: [string, () => Promise<unknown>][] = [
      ["no clinical text", () => doctor.caller.medicalRecords.create({ patientId: patient.patientId })],
      [
        "empty texts",
        () =>
          doctor.caller.medicalRecords.create({
            patientId: patient.patientId,
            diagnoses: [],
            clinicalNotes: "  ",
          }),
      ],
      [
        "an ICD-10 code of the wrong shape",
        () =>
          doctor.caller.medicalRecords.create({
            patientId: patient.patientId,
            diagnoses: [{ code: "ASTHME", description: "Asthme" }],
          }),
      ],
      [
        "an unknown key",
        () =>
          doctor.caller.medicalRecords.create({
            ...clinicalInput(patient.patientId),
            kind: "PATIENT_REPORTED",
          } as never),
      ],
      [
        "a prescription without a dosage",
        () =>
          doctor.caller.medicalRecords.create({
            patientId: patient.patientId,
            prescriptions: [{ medication: "X", route: "orale", frequency: "1/j" }] as never,
          }),
      ],
      [
        "an impossible date",
        () =>
          doctor.caller.medicalRecords.create({
            ...clinicalInput(patient.patientId),
            followUpDate: "2027-02-30",
          }),
      ],
      [
        "a NUL character",
        () =>
          doctor.caller.medicalRecords.create({
            ...clinicalInput(patient.patientId),
            clinicalNotes: "a\u0000b",
          }),
      ],
      ["a PATCH without a change", () => doctor.caller.medicalRecords.update({ id: record.id, version: 1 })],
      [
        "a PATCH without a version",
        () => doctor.caller.medicalRecords.update({ id: record.id, clinicalNotes: "x" } as never),
      ],
      [
        "version 0",
        () => doctor.caller.medicalRecords.update({ id: record.id, version: 0, clinicalNotes: "x" }),
      ],
      [
        "a version as text",
        () =>
          doctor.caller.medicalRecords.update({ id: record.id, version: "1", clinicalNotes: "x" } as never),
      ],
      [
        "a note on a clinical entry",
        () => doctor.caller.medicalRecords.update({ id: record.id, version: 1, note: "x" }),
      ],
      [
        "clinical fields on a note",
        () => patient.caller.medicalRecords.update({ id: note.id, version: 1, clinicalNotes: "x" }),
      ],
      [
        "a clinical entry emptied",
        () =>
          doctor.caller.medicalRecords.update({
            id: record.id,
            version: 1,
            diagnoses: [],
            treatmentPlan: null,
            prescriptions: [],
            clinicalNotes: null,
          }),
      ],
      ["a DELETE without a reason", () => doctor.caller.medicalRecords.delete({ id: record.id } as never)],
      ["a short reason", () => doctor.caller.medicalRecords.delete({ id: record.id, reason: "x" })],
      ["an id that is no uuid", () => doctor.caller.medicalRecords.get({ id: "42" })],
      [
        "too many diagnoses",
        () =>
          doctor.caller.medicalRecords.create({
            patientId: patient.patientId,
            diagnoses: Array.from({ length: 21 }, () => ({ description: "x" })),
          }),
      ],
    ];
    for (const [what, call] of refusals) {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, what).toBeInstanceOf(TRPCError);
      expect(thrownFacts(error).appCode, what).toBe("VALIDATION_FAILED");
    }
    await expect(doctor.caller.medicalRecords.get({ id: record.id })).resolves.toMatchObject({ version: 1 });
    await expect(patient.caller.medicalRecords.get({ id: note.id })).resolves.toMatchObject({ version: 1 });
  });
});

describe("clinical text at rest", () => {
  test("a dump of the records, versions, audit and outbox tables finds no canary in plaintext", async () => {
    const { patient, doctor, admin } = people;
    const canary = `CANARY-${crypto.randomUUID()}`;
    const record = await doctor.caller.medicalRecords.create({
      patientId: patient.patientId,
      diagnoses: [{ code: "J45.9", description: `${canary} diagnosis` }],
      treatmentPlan: `${canary} plan`,
      prescriptions: [
        {
          medication: `${canary} medication`,
          dosage: `${canary} dosage`,
          route: `${canary} route`,
          frequency: `${canary} frequency`,
          duration: `${canary} duration`,
          instructions: `${canary} instructions`,
        },
      ],
      clinicalNotes: `${canary} notes`,
    });
    await doctor.caller.medicalRecords.update({
      id: record.id,
      version: 1,
      clinicalNotes: `${canary} edited`,
    });
    const note = await patient.caller.medicalRecords.addMine({ note: `${canary} history` });
    await admin.caller.medicalRecords.delete({ id: note.id, reason: `${canary} reason` });
    await expect(admin.caller.medicalRecords.get({ id: note.id })).resolves.toMatchObject({
      note: `${canary} history`,
      deletion: { reason: `${canary} reason` },
    });

    for (const table of ["medical_records", "medical_record_versions", "audit_events", "domain_events"]) {
      const rows = await selectRows(file.db, sql`select t::text as row from ${sql.identifier(table)} t`);
      expect(rows.length, table).toBeGreaterThan(0);
      const dump = rows.map((row) => String(row.row)).join("\n");
      expect(dump.includes(canary), `${table} holds the canary in plaintext`).toBe(false);
      expect(dump.includes("CANARY"), table).toBe(false);
    }
    const [stored] = await file.db.select().from(medicalRecords).where(eq(medicalRecords.id, note.id));
    expect(stored?.content).toMatch(new RegExp(`^v1\\.${TEST_ENCRYPTION_KEY.id}\\.`));
    expect(stored?.deletionReason).toMatch(new RegExp(`^v1\\.${TEST_ENCRYPTION_KEY.id}\\.`));
  });

  test("a ciphertext copied onto another record does not decrypt: a generic 500, audited as a FAILURE, no leak", async () => {
    const { patient, doctor, other } = people;
    const source = await makeMedicalRecord(file.db, {
      patientId: patient.patientId,
      doctorId: doctor.doctorId,
      content: { clinicalNotes: "Secret de la source" },
      cipher: file.deps.fieldCipher,
    });
    const victim = await other.caller.medicalRecords.addMine({ note: "Mon dossier" });
    await file.db
      .update(medicalRecords)
      .set({ content: source.content })
      .where(eq(medicalRecords.id, victim.id));
    const audit = await auditOf(async () => {
      const error = await other.caller.medicalRecords.get({ id: victim.id }).catch((e: unknown) => e);
      expect(thrownFacts(error)).toEqual({
        appCode: "INTERNAL",
        message: "Internal server error",
      });
      expect(JSON.stringify(thrownFacts(error))).not.toContain("Secret");
    });
    expect(audit).toMatchObject([
      {
        action: "medical_record.read",
        outcome: "FAILURE",
        targetId: victim.id,
        patientId: other.patientId,
        details: { reason: "undecryptable" },
      },
    ]);
    await expect(other.caller.medicalRecords.mine({})).rejects.toBeInstanceOf(TRPCError);
  });
});
