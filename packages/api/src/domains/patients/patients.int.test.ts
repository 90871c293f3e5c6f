import { randomBytes } from "node:crypto";
import { selectRows } from "@medical/db";
import { appointments, auditEvents, patients, users } from "@medical/db/schema";
import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { ROLES, type Role } from "#platform/auth/roles.ts";
import { createFieldCipher } from "#platform/crypto/field-cipher.ts";
import { errorFacts } from "#platform/errors/shape.ts";
import { type Caller, callerFor, thrownFacts } from "#testing/caller.ts";
import { makeTestDeps, TEST_ENCRYPTION_KEY } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { createMemoryMailer, tokenIn } from "#testing/memory-mailer.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { can, type PatientPermission } from "./access.ts";
import { toPatientDto } from "./patient-dto.ts";
import { selectPatientRows } from "./patient-rows.ts";
import { requirePatientProfile } from "./public.ts";
import { rotateClinicalKeys } from "./rotate-keys.service.ts";

const mailer = createMemoryMailer();
const file = useFileDeps({ mailer });

/** A marker no answer may carry unless it may carry clinical fields. */
const secretAllergy = () => `Pénicilline-${randomBytes(4).toString("hex")}`;

/** A PATIENT with a profile whose clinical fields hold `allergy`, created by the service itself. */
async function patientWithProfile(allergy = secretAllergy()) {
  const signed = await signInAs(file.deps, "PATIENT");
  const profile = await signed.caller.patients.createMe({
    dateOfBirth: "1988-02-29",
    sex: "FEMALE",
    city: "Tizi Ouzou",
    clinical: { bloodType: "O+", allergies: [allergy], chronicConditions: ["Asthme"] },
  });
  return { ...signed, profile, allergy };
}

async function auditOf(targetId: string) {
  return file.db.select().from(auditEvents).where(eq(auditEvents.targetId, targetId)).orderBy(auditEvents.id);
}

describe("the grants table", () => {
  const expected: Record<Role, PatientPermission[]> = {
    ADMIN: ["read:clinical", "write:clinical", "write:demographics", "delete:patient"],
    STAFF: ["write:demographics"],
    DOCTOR: ["read:clinical"],
    PATIENT: ["read:clinical", "write:clinical", "write:demographics"],
  };
  const all: PatientPermission[] = [
    "read:clinical",
    "write:clinical",
    "write:demographics",
    "delete:patient",
  ];
  test.each(ROLES)("%s has exactly its permissions (fails closed)", (role) => {
    expect(all.filter((permission) => can({ role }, permission))).toEqual(expected[role]);
  });
});

describe("a patient's own profile", () => {
  test("is NOT_FOUND before creation, created once (a second POST is a CONFLICT), then read and changed", async () => {
    const { caller, user } = await signInAs(file.deps, "PATIENT");
    await expect(caller.patients.me()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(requirePatientProfile(file.deps, actorOf(user))).rejects.toMatchObject({
      code: "PROFILE_REQUIRED",
    });

    const created = await caller.patients.createMe({ dateOfBirth: "1995-06-01", country: "dz" });
    expect(created).toMatchObject({
      firstName: "Yasmine",
      dateOfBirth: "1995-06-01",
      sex: "UNKNOWN",
      country: "DZ",
      emergencyContact: null,
      isActive: true,
      clinical: { bloodType: null, allergies: [], chronicConditions: [], currentMedications: [] },
    });
    await expect(caller.patients.createMe({ dateOfBirth: "1995-06-01" })).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "CONFLICT" },
    });
    expect((await requirePatientProfile(file.deps, actorOf(user))).id).toBe(created.id);

    const updated = await caller.patients.updateMe({
      emergencyContact: { name: "Karim Haddad", relation: "Frère", phone: "+213661234567" },
      showNameOnReviews: true,
      clinical: { allergies: ["Arachides"], bloodType: "AB-" },
    });
    expect(updated).toMatchObject({
      dateOfBirth: "1995-06-01",
      emergencyContact: { name: "Karim Haddad", relation: "Frère", phone: "+213661234567" },
      showNameOnReviews: true,
      clinical: { bloodType: "AB-", allergies: ["Arachides"], chronicConditions: [] },
    });
    const again = await caller.patients.updateMe({ clinical: { currentMedications: ["Ventoline"] } });
    expect(again.clinical).toEqual({
      bloodType: "AB-",
      allergies: ["Arachides"],
      chronicConditions: [],
      currentMedications: ["Ventoline"],
    });
    await expect(caller.patients.me()).resolves.toEqual(again);
  });

  test("PATCH before the profile exists is NOT_FOUND; other roles have no /patients/me", async () => {
    const { caller } = await signInAs(file.deps, "PATIENT");
    await expect(caller.patients.updateMe({ city: "Oran" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const doctor = await signIn(file.deps, (await makeDoctor(file.db)).user);
    await expect(requirePatientProfile(file.deps, actorOf(doctor.user))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  test("validates field formats (400)", async () => {
    const { caller } = await signInAs(file.deps, "PATIENT");
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const invalid: unknown[] = [
      { dateOfBirth: future },
      { dateOfBirth: "12/04/1990" },
      { dateOfBirth: "1990-02-30" },
      { dateOfBirth: "1990-04-12", sex: "F" },
      { dateOfBirth: "1990-04-12", country: "DZA" },
      { dateOfBirth: "1990-04-12", emergencyContact: { name: "A", relation: "B", phone: "0551234567" } },
      { dateOfBirth: "1990-04-12", clinical: { bloodType: "C+" } },
      { dateOfBirth: "1990-04-12", clinical: { allergies: Array.from({ length: 51 }, (_, i) => `a${i}`) } },
      { dateOfBirth: "1990-04-12", clinical: { allergies: ["x".repeat(201)] } },
      { dateOfBirth: "1990-04-12", clinical: { notes: "free text" } },
    ];
    for (const input of invalid) {
      await expect(caller.patients.createMe(input as never), JSON.stringify(input)).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    await expect(caller.patients.me()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

/**
 * Under `TEST_DB=postgres` the two requests' transactions really overlap: identity's flow locks the
 * account, so the second waits, then meets the profile's unique index. PGlite runs them one after
 * the other; the answers must be the same.
 */
describe("profiles created at once for one account", () => {
  async function onlyProfileOf(userId: string) {
    const rows = await file.db.select().from(patients).where(eq(patients.userId, userId));
    expect(rows).toHaveLength(1);
    const [row] = rows;
    if (!row) throw new Error("no profile");
    const created = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.patientId, row.id), eq(auditEvents.action, "patient.profile_created")));
    expect(created).toHaveLength(1);
    return row;
  }

  test("two POST /patients/me: one is created, the other is a CONFLICT", async () => {
    const { caller, user } = await signInAs(file.deps, "PATIENT");
    const results = await Promise.allSettled([
      caller.patients.createMe({ dateOfBirth: "1990-04-12" }),
      caller.patients.createMe({ dateOfBirth: "1991-05-13" }),
    ]);
    const created = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(created).toHaveLength(1);
    const [refused] = results.filter((r) => r.status === "rejected");
    expect(refused?.reason).toMatchObject({
      code: "CONFLICT",
      message: "Your patient profile already exists",
      cause: { code: "CONFLICT" },
    });
    expect((await onlyProfileOf(user.id)).id).toBe(created[0]?.id);
  });

  test("the front desk's POST /patients and the patient's own: one is created, the other is a CONFLICT", async () => {
    const { caller, user } = await signInAs(file.deps, "PATIENT");
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    const results = await Promise.allSettled([
      staff.patients.create({ userId: user.id, dateOfBirth: "1990-04-12" }),
      caller.patients.createMe({ dateOfBirth: "1990-04-12" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const [refused] = results.filter((r) => r.status === "rejected");
    expect(refused?.reason).toMatchObject({ code: "CONFLICT", cause: { code: "CONFLICT" } });
    await onlyProfileOf(user.id);
  });
});

describe("mass assignment", () => {
  test("no body sets an id, an owner, a role, an active flag or raw clinical data (400)", async () => {
    const { caller, profile, user } = await patientWithProfile();
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const other = await makeUser(file.db);
    const forbidden = [
      { id: crypto.randomUUID() },
      { userId: other.id },
      { isActive: false },
      { role: "ADMIN" },
      { clinicalData: "v1.x.y.z" },
      { createdAt: new Date().toISOString() },
    ];
    for (const field of forbidden) {
      await expect(
        caller.patients.createMe({ dateOfBirth: "1990-04-12", ...field } as never),
      ).rejects.toMatchObject({ code: "BAD_REQUEST" });
      await expect(caller.patients.updateMe(field as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
      if (!("id" in field)) {
        await expect(admin.patients.update({ id: profile.id, ...field } as never)).rejects.toMatchObject({
          code: "BAD_REQUEST",
        });
      }
    }
    await expect(
      admin.patients.create({ userId: other.id, dateOfBirth: "1990-04-12", isActive: false } as never),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      admin.patients.create({
        userId: other.id,
        dateOfBirth: "1990-04-12",
        showNameOnReviews: true,
      } as never),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const [row] = await file.db.select().from(patients).where(eq(patients.id, profile.id));
    expect(row).toMatchObject({ id: profile.id, isActive: true, userId: user.id });
  });
});

describe("front desk and admin", () => {
  test("STAFF creates a profile with a new invited PATIENT account, and sees no clinical field", async () => {
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    const email = `nouveau.${Date.now()}@example.dz`;
    const created = await staff.patients.create({
      email,
      firstName: "Lounès",
      lastName: "Aït Ahmed",
      phone: "+213551234567",
      locale: "kab",
      dateOfBirth: "1970-01-15",
      sex: "MALE",
      city: "Béjaïa",
    });
    expect(created).toMatchObject({ firstName: "Lounès", lastName: "Aït Ahmed", city: "Béjaïa" });
    expect(created).not.toHaveProperty("clinical");
    const [account] = await file.db.select().from(users).where(eq(users.email, email));
    expect(account).toMatchObject({ role: "PATIENT", passwordHash: null, locale: "kab" });

    const invitation = await mailer.next((m) => m.to === email && m.kind === "INVITATION");
    await callerFor(file.deps).auth.reset({ token: tokenIn(invitation), newPassword: "chosen by lounes" });
    const session = await callerFor(file.deps).auth.login({ email, password: "chosen by lounes" });
    const own = await callerFor(file.deps, { accessToken: session.accessToken }).patients.me();
    expect(own).toMatchObject({ id: created.id, clinical: { allergies: [] } });
  });

  test("ADMIN creates for an existing PATIENT account with clinical fields; wrong accounts are refused", async () => {
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const account = await makeUser(file.db);
    const created = await admin.patients.create({
      userId: account.id,
      dateOfBirth: "2001-09-09",
      clinical: { bloodType: "B+", allergies: ["Latex"] },
    });
    expect(created.clinical).toMatchObject({ bloodType: "B+", allergies: ["Latex"] });
    await expect(
      admin.patients.create({ userId: account.id, dateOfBirth: "2001-09-09" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const doctor = await makeUser(file.db, { role: "DOCTOR" });
    for (const userId of [doctor.id, crypto.randomUUID()]) {
      await expect(admin.patients.create({ userId, dateOfBirth: "2001-09-09" })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        cause: { code: "VALIDATION_FAILED" },
      });
    }
    const both = { userId: account.id, email: "x@example.dz", firstName: "A", lastName: "B" };
    await expect(admin.patients.create({ ...both, dateOfBirth: "2001-09-09" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(
      admin.patients.create({ email: "y@example.dz", dateOfBirth: "2001-09-09" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  test("a taken email is EMAIL_TAKEN and leaves neither account nor profile behind", async () => {
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const existing = await makeUser(file.db, { role: "DOCTOR" });
    const before = await file.db.select({ n: sql<number>`count(*)::int` }).from(patients);
    await expect(
      admin.patients.create({
        email: existing.email.toUpperCase(),
        firstName: "Samir",
        lastName: "Kaci",
        dateOfBirth: "1980-03-03",
      }),
    ).rejects.toMatchObject({ code: "CONFLICT", cause: { code: "EMAIL_TAKEN" } });
    const after = await file.db.select({ n: sql<number>`count(*)::int` }).from(patients);
    expect(after).toEqual(before);
  });

  test("STAFF sending clinical fields is FORBIDDEN (nothing applied) and audited as DENIED", async () => {
    const { profile, allergy } = await patientWithProfile();
    const { caller: staff, user: staffUser } = await signInAs(file.deps, "STAFF");
    await expect(
      staff.patients.update({ id: profile.id, city: "Blida", clinical: { allergies: [] } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN", cause: { code: "FORBIDDEN" } });
    await expect(
      staff.patients.create({
        userId: (await makeUser(file.db)).id,
        dateOfBirth: "1990-01-01",
        clinical: { bloodType: "A+" },
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const unchanged = await admin.patients.get({ id: profile.id });
    expect(unchanged).toMatchObject({ city: "Tizi Ouzou", clinical: { allergies: [allergy] } });
    const denied = (await auditOf(profile.id)).filter((e) => e.actorId === staffUser.id);
    expect(denied).toEqual([
      expect.objectContaining({
        action: "patient.clinical.write",
        outcome: "DENIED",
        targetType: "patient",
        requestId: expect.any(String),
        details: { fieldGroup: "clinical", reason: "not_permitted" },
      }),
    ]);
    const createDenied = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, staffUser.id), eq(auditEvents.outcome, "DENIED")));
    expect(createDenied).toHaveLength(2);

    const changed = await staff.patients.update({
      id: profile.id,
      city: "Blida",
      phone: "+213770112233",
      emergencyContact: { name: "Nadia", relation: "Mère", phone: "+213550998877" },
    });
    expect(changed).toMatchObject({
      city: "Blida",
      phone: "+213770112233",
      emergencyContact: { name: "Nadia" },
    });
    expect(changed).not.toHaveProperty("clinical");
  });

  test("ADMIN deactivates (STAFF may not): hidden from lists, kept for reads, PROFILE_REQUIRED for actions", async () => {
    const { profile, user } = await patientWithProfile();
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    await expect(staff.patients.delete({ id: profile.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.patients.delete({ id: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(admin.patients.delete({ id: profile.id })).resolves.toBeNull();

    const q = profile.lastName;
    expect((await staff.patients.list({ q, limit: 10 })).items).toEqual([]);
    expect((await staff.patients.list({ q, isActive: false, limit: 10 })).items).toEqual([
      expect.objectContaining({ id: profile.id, isActive: false }),
    ]);
    await expect(admin.patients.get({ id: profile.id })).resolves.toMatchObject({ isActive: false });
    await expect(requirePatientProfile(file.deps, actorOf(user))).rejects.toMatchObject({
      code: "PROFILE_REQUIRED",
    });
    expect((await auditOf(profile.id)).map((e) => e.action)).toContain("patient.deactivated");
  });

  test("lists with search, city and keyset pages sorted by last name; never with clinical fields", async () => {
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    const marker = `Zitouni${Date.now()}`;
    for (const [lastName, city] of [
      [`${marker}-C`, "Sétif"],
      [`${marker}-A`, "Setif"],
      [`${marker}-B`, "Oran"],
    ] as const) {
      await makePatient(file.db, {
        city,
        user: { lastName },
        clinical: { cipher: file.deps.fieldCipher, data: { allergies: ["Iode"] } },
      });
    }
    const setif = await staff.patients.list({
      q: marker.toLowerCase(),
      city: "SETIF",
      sort: "lastName",
      order: "asc",
      limit: 10,
    });
    expect(setif.items.map((p) => p.lastName)).toEqual([`${marker}-A`, `${marker}-C`]);

    const first = await staff.patients.list({ q: marker, sort: "lastName", order: "asc", limit: 2 });
    const second = await staff.patients.list({
      q: marker,
      sort: "lastName",
      order: "asc",
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    expect([...first.items, ...second.items].map((p) => p.lastName)).toEqual([
      `${marker}-A`,
      `${marker}-B`,
      `${marker}-C`,
    ]);
    expect(second.nextCursor).toBeNull();
    for (const item of [...first.items, ...second.items]) expect(item).not.toHaveProperty("clinical");
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const adminPage = await admin.patients.list({ q: marker, limit: 10 });
    expect(adminPage.items).toHaveLength(3);
    for (const item of adminPage.items) expect(item).not.toHaveProperty("clinical");

    await expect(
      staff.patients.list({ q: marker, sort: "createdAt", cursor: first.nextCursor ?? "", limit: 2 }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_FAILED" } });
    await expect(staff.patients.list({ limit: 101 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("clinical fields at rest", () => {
  test("the raw column holds no plaintext, only a ciphertext under the current key", async () => {
    const { profile, allergy } = await patientWithProfile();
    const [raw] = await selectRows(file.db, sql`select clinical_data from patients where id = ${profile.id}`);
    const stored = String(raw?.clinical_data);
    expect(stored).toMatch(new RegExp(`^v1\\.${TEST_ENCRYPTION_KEY.id}\\.`));
    for (const plaintext of [allergy, "Asthme", "O+", "bloodType"]) expect(stored).not.toContain(plaintext);
  });

  test("a ciphertext copied onto another patient's row does not decrypt: a generic 500, audited, no leak", async () => {
    const source = await patientWithProfile();
    const victim = await patientWithProfile();
    const [raw] = await selectRows(
      file.db,
      sql`select clinical_data from patients where id = ${source.profile.id}`,
    );
    await file.db
      .update(patients)
      .set({ clinicalData: String(raw?.clinical_data) })
      .where(eq(patients.id, victim.profile.id));

    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    for (const read of [
      () => admin.patients.get({ id: victim.profile.id }),
      () => victim.caller.patients.me(),
    ]) {
      const error = await read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCError);
      const facts = thrownFacts(error);
      expect(facts).toEqual({ appCode: "INTERNAL", message: "Internal server error" });
      expect(JSON.stringify(facts)).not.toContain(source.allergy);
    }
    await expect(victim.caller.patients.updateMe({ clinical: { bloodType: "A-" } })).rejects.toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
    });
    const failures = (await auditOf(victim.profile.id)).filter((e) => e.outcome === "FAILURE");
    expect(failures.map((e) => e.action)).toEqual([
      "patient.clinical.read",
      "patient.clinical.read",
      "patient.clinical.write",
    ]);
    expect(failures[0]?.details).toEqual({ fieldGroup: "clinical", reason: "undecryptable" });
    // The source row still reads; the victim's demographics are still served to STAFF.
    await expect(source.caller.patients.me()).resolves.toMatchObject({
      clinical: { allergies: [source.allergy] },
    });
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    await expect(staff.patients.get({ id: victim.profile.id })).resolves.not.toHaveProperty("clinical");
    // Put a readable value back so later rotation runs count no unreadable row from this test.
    await file.db.update(patients).set({ clinicalData: null }).where(eq(patients.id, victim.profile.id));
  });

  test("rotation re-encrypts every value under a new first key and keeps it readable", async () => {
    const before = await Promise.all([patientWithProfile(), patientWithProfile(), patientWithProfile()]);
    const newKey = { id: `rot${randomBytes(3).toString("hex")}`, key: randomBytes(32) };
    const rotating = makeTestDeps(file.handle, {
      fieldCipher: createFieldCipher([newKey, TEST_ENCRYPTION_KEY]),
    });
    try {
      const counts = await rotateClinicalKeys(rotating, { batchSize: 2 });
      expect(counts.rotated).toBeGreaterThanOrEqual(before.length);
      expect(counts.unreadable).toBe(0);
      expect(counts.scanned).toBe(counts.rotated + counts.current + counts.skipped + counts.unreadable);

      const rows = await file.db.select({ data: patients.clinicalData }).from(patients);
      for (const { data } of rows) if (data !== null) expect(rotating.fieldCipher.isCurrent(data)).toBe(true);
      for (const { user, allergy } of before) {
        const { caller } = await signIn(rotating, user);
        await expect(caller.patients.me()).resolves.toMatchObject({ clinical: { allergies: [allergy] } });
      }
      // The old key alone no longer reads them; a second run has nothing to do.
      const [first] = before;
      if (!first) throw new Error("no patients");
      const oldOnly = await signIn(file.deps, first.user);
      await expect(oldOnly.caller.patients.me()).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
      await expect(rotateClinicalKeys(rotating)).resolves.toMatchObject({ rotated: 0, unreadable: 0 });
      const [run] = await file.db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.action, "patient.clinical.rotate"))
        .orderBy(auditEvents.id)
        .limit(1);
      expect(run).toMatchObject({
        outcome: "SUCCESS",
        details: expect.objectContaining({ fieldGroup: "clinical" }),
      });
    } finally {
      // Back under the file's key, so the other tests of this file read every row.
      const back = makeTestDeps(file.handle, {
        fieldCipher: createFieldCipher([TEST_ENCRYPTION_KEY, newKey]),
      });
      await rotateClinicalKeys(back);
    }
    for (const { caller, allergy } of before) {
      await expect(caller.patients.me()).resolves.toMatchObject({ clinical: { allergies: [allergy] } });
    }
  });
});

describe("the clinical audit trail", () => {
  test("records reads and writes with actor, patient, field group, outcome and request id", async () => {
    const { caller, profile, user } = await patientWithProfile();
    await caller.patients.me();
    await caller.patients.updateMe({ city: "Annaba" });
    await caller.patients.updateMe({ clinical: { chronicConditions: ["Diabète de type 2"] } });
    const { caller: admin, user: adminUser } = await signInAs(file.deps, "ADMIN");
    await admin.patients.get({ id: profile.id });
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    await staff.patients.get({ id: profile.id });

    const clinical = (await auditOf(profile.id)).filter((e) => e.action.startsWith("patient.clinical."));
    expect(clinical.map((e) => [e.action, e.outcome, e.actorId])).toEqual([
      ["patient.clinical.write", "SUCCESS", user.id], // createMe
      ["patient.clinical.read", "SUCCESS", user.id], // me
      ["patient.clinical.read", "SUCCESS", user.id], // updateMe without clinical answers them
      ["patient.clinical.write", "SUCCESS", user.id],
      ["patient.clinical.read", "SUCCESS", adminUser.id],
    ]);
    for (const event of clinical) {
      expect(event).toMatchObject({
        targetType: "patient",
        targetId: profile.id,
        details: { fieldGroup: "clinical" },
        requestId: expect.stringMatching(/^[A-Za-z0-9-]{1,64}$/),
      });
      expect(JSON.stringify(event)).not.toContain("Diabète");
    }
  });

  test("ties events to their request: one request's events share its id and address, another's has its own", async () => {
    const { profile } = await patientWithProfile();
    const admin = await signInAs(file.deps, "ADMIN");
    // A caller is one request context: each call below is a request of its own.
    const request = () => callerFor(file.deps, { accessToken: admin.accessToken, ip: "203.0.113.9" });
    await request().patients.update({ id: profile.id, city: "Bouira", clinical: { bloodType: "A+" } });
    await request().patients.get({ id: profile.id });
    const events = (await auditOf(profile.id)).filter((e) => e.actorId === admin.user.id);
    expect(events.map((e) => e.action)).toEqual([
      "patient.profile_updated",
      "patient.clinical.write",
      "patient.clinical.read",
    ]);
    const [updated, written, read] = events;
    expect(written?.requestId).toBe(updated?.requestId);
    expect(read?.requestId).not.toBe(updated?.requestId);
    for (const event of events) {
      expect(event).toMatchObject({
        ip: "203.0.113.9",
        patientId: profile.id,
        requestId: expect.stringMatching(/^[A-Za-z0-9-]{1,64}$/),
      });
    }
  });

  test("records a denied look-up by a role that could read clinical fields", async () => {
    const { profile } = await patientWithProfile();
    const { caller: stranger, user: strangerUser } = await patientWithProfile();
    const doctor = await signIn(file.deps, (await makeDoctor(file.db)).user);
    await expect(stranger.patients.get({ id: profile.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(doctor.caller.patients.get({ id: profile.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // A change's answer would carry clinical fields too: its refused look-up is the same attempt.
    await expect(
      stranger.patients.update({ id: profile.id, clinical: { allergies: [] } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    const denied = (await auditOf(profile.id)).filter((e) => e.outcome === "DENIED");
    const notVisible = { fieldGroup: "clinical", reason: "not_visible" };
    expect(denied.map((e) => [e.action, e.actorId, e.patientId, e.details])).toEqual([
      ["patient.clinical.read", strangerUser.id, profile.id, notVisible],
      ["patient.clinical.read", doctor.user.id, profile.id, notVisible],
      ["patient.clinical.read", strangerUser.id, profile.id, notVisible],
    ]);
  });
});

/**
 * Which successful answers carry clinical fields (who may call what is the cross-tenant table in
 * access.cases.ts): the owner and ADMIN see them, STAFF never, and the owner's PHI marker reaches
 * nobody else whatever the route.
 */
describe("clinical fields in answers", () => {
  type Who = "owner" | "staff" | "admin";
  interface World {
    callers: Record<Who, Caller>;
    patientId: string;
    allergy: string;
    spareAccountId: string;
  }
  const answers: {
    route: string;
    call: (caller: Caller, world: World) => Promise<unknown>;
    clinical: Partial<Record<Who, boolean>>;
  }[] = [
    { route: "GET /patients/me", call: (c) => c.patients.me(), clinical: { owner: true } },
    {
      route: "PATCH /patients/me",
      call: (c) => c.patients.updateMe({ city: "Batna" }),
      clinical: { owner: true },
    },
    {
      route: "GET /patients",
      call: (c) => c.patients.list({ limit: 100 }),
      clinical: { staff: false, admin: false },
    },
    {
      route: "POST /patients",
      call: (c, w) => c.patients.create({ userId: w.spareAccountId, dateOfBirth: "1990-01-01" }),
      clinical: { staff: false, admin: true },
    },
    {
      route: "GET /patients/{id}",
      call: (c, w) => c.patients.get({ id: w.patientId }),
      clinical: { owner: true, staff: false, admin: true },
    },
    {
      route: "PATCH /patients/{id}",
      call: (c, w) => c.patients.update({ id: w.patientId, city: "Tlemcen" }),
      clinical: { owner: true, staff: false, admin: true },
    },
  ];
  const cases = answers.flatMap(({ route, call, clinical }) =>
    Object.entries(clinical).map(([who, carries]) => ({ route, call, who: who as Who, carries })),
  );

  test.each(cases)("$route as $who carries clinical fields: $carries", async ({ call, who, carries }) => {
    const owner = await patientWithProfile();
    const world: World = {
      callers: {
        owner: owner.caller,
        staff: (await signInAs(file.deps, "STAFF")).caller,
        admin: (await signInAs(file.deps, "ADMIN")).caller,
      },
      patientId: owner.profile.id,
      allergy: owner.allergy,
      spareAccountId: (await makeUser(file.db)).id,
    };
    const data = await call(world.callers[who], world);
    const items = typeof data === "object" && data !== null && "items" in data ? data.items : [data];
    if (!Array.isArray(items)) throw new Error("an answer without items");
    for (const item of items) {
      if (carries) expect(item).toHaveProperty("clinical.allergies");
      else expect(item).not.toHaveProperty("clinical");
    }
    if (!carries) expect(JSON.stringify(data)).not.toContain(world.allergy);
  });
});

describe("the account link", () => {
  test("staff, admins and the patient read the profile's userId; doctors do not", async () => {
    const { user, caller: owner, profile } = await patientWithProfile();
    expect(profile.userId).toBe(user.id);
    expect((await owner.patients.me()).userId).toBe(user.id);
    const { caller: staff } = await signInAs(file.deps, "STAFF");
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    expect((await staff.patients.get({ id: profile.id })).userId).toBe(user.id);
    expect((await admin.patients.get({ id: profile.id })).userId).toBe(user.id);
    const listed = await staff.patients.list({ q: user.lastName, limit: 100 });
    expect(listed.items.find((item) => item.id === profile.id)?.userId).toBe(user.id);

    const [row] = await selectPatientRows(file.db).where(eq(patients.id, profile.id));
    if (!row) throw new Error("the profile row is missing");
    const doctor = await makeDoctor(file.db);
    expect(toPatientDto(row, actorOf(doctor.user))).not.toHaveProperty("userId");
  });
});

describe("the care relationship", () => {
  test("a doctor lists and reads exactly the patients of their non-cancelled appointments", async () => {
    const { doctor, user } = await makeDoctor(file.db);
    const { caller } = await signIn(file.deps, user);
    const treated = new Map<string, string>();
    for (const status of ["SCHEDULED", "COMPLETED", "NO_SHOW"] as const) {
      const { profile, allergy } = await patientWithProfile();
      await makeAppointment(file.db, { doctorId: doctor.id, patientId: profile.id, status });
      treated.set(profile.id, allergy);
    }
    // A second appointment of one pair lists its patient once.
    const [twice] = treated.keys();
    await makeAppointment(file.db, { doctorId: doctor.id, patientId: twice ?? "", status: "COMPLETED" });
    const { profile: cancelled } = await patientWithProfile();
    await makeAppointment(file.db, { doctorId: doctor.id, patientId: cancelled.id, status: "CANCELLED" });
    const { profile: otherDoctors } = await patientWithProfile();
    await makeAppointment(file.db, {
      doctorId: (await makeDoctor(file.db)).doctor.id,
      patientId: otherDoctors.id,
    });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await caller.patients.list({ limit: 2, cursor });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual([...treated.keys()].sort());

    for (const [id, allergy] of treated) {
      const profile = await caller.patients.get({ id });
      expect(profile.clinical?.allergies).toEqual([allergy]);
    }
    const reads = await file.db
      .select({ patientId: auditEvents.patientId, outcome: auditEvents.outcome })
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, user.id), eq(auditEvents.action, "patient.clinical.read")));
    expect(reads.map((read) => read.patientId).sort()).toEqual([...treated.keys()].sort());
    expect(reads.every((read) => read.outcome === "SUCCESS")).toBe(true);
    for (const id of [cancelled.id, otherDoctors.id])
      await expect(caller.patients.get({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      caller.patients.update({ id: twice ?? "", clinical: { bloodType: "AB-" } }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    const { caller: unrelated } = await signIn(file.deps, (await makeDoctor(file.db)).user);
    expect(await unrelated.patients.list({ limit: 100 })).toEqual({ items: [], nextCursor: null });
  });

  test("the relationship ends when the doctor's last appointment with the patient is cancelled", async () => {
    const { doctor, user } = await makeDoctor(file.db);
    const { caller } = await signIn(file.deps, user);
    const { profile } = await patientWithProfile();
    const visit = await makeAppointment(file.db, { doctorId: doctor.id, patientId: profile.id });
    expect((await caller.patients.get({ id: profile.id })).id).toBe(profile.id);
    await file.db
      .update(appointments)
      .set({ status: "CANCELLED", cancelledAt: new Date(), cancelledBy: user.id, cancelledByRole: "DOCTOR" })
      .where(eq(appointments.id, visit.id));
    await expect(caller.patients.get({ id: profile.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("NOT_FOUND says the same for a hidden profile and one that does not exist", async () => {
    const { profile } = await patientWithProfile();
    const { caller: stranger } = await patientWithProfile();
    const hidden = await stranger.patients.get({ id: profile.id }).catch((e: unknown) => e);
    const missing = await stranger.patients.get({ id: crypto.randomUUID() }).catch((e: unknown) => e);
    expect(errorFacts(hidden as TRPCError)).toEqual(errorFacts(missing as TRPCError));
  });
});

function actorOf(user: { id: string; role: Role }) {
  return { userId: user.id, role: user.role, sessionId: crypto.randomUUID(), accessExpiresAt: new Date() };
}
