import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { type AuditMeta, auditAttempt } from "#platform/audit/audit.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";
import { ACCESS_LOG_READ } from "./access-log.service.ts";

const file = useFileDeps();

/** A PATIENT with a profile, signed in. */
async function patientWithFile(firstName = "Amina") {
  const { patient, user } = await makePatient(file.db, { user: { firstName } });
  return { patient, user, caller: (await signIn(file.deps, user)).caller };
}

const metaOf = (actor: AuditMeta["actor"]): AuditMeta => ({
  actor,
  requestId: randomUUID(),
  origin: { ip: null, userAgent: null },
});

describe("the patient's access log (patients.accessLog, GET /patients/me/access-log)", () => {
  test("shows who read or changed the file, newest first: the clinic by name and role, the patient as SELF", async () => {
    const owner = await patientWithFile();
    const { doctor, user: doctorUser } = await makeDoctor(file.db, {
      user: { firstName: "Yacine", lastName: "Haddad" },
    });
    await makeAppointment(file.db, { doctorId: doctor.id, patientId: owner.patient.id });
    const treating = (await signIn(file.deps, doctorUser)).caller;
    await owner.caller.patients.updateMe({ city: "Oran" });
    await treating.patients.get({ id: owner.patient.id });

    const page = await owner.caller.patients.accessLog({ limit: 100 });

    const times = page.items.map((item) => item.occurredAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.items[0]).toMatchObject({
      action: "patient.clinical.read",
      outcome: "SUCCESS",
      resourceType: "patient",
      actor: { kind: "CLINIC", name: "Yacine Haddad", role: "DOCTOR" },
    });
    expect(
      page.items.some(
        (item) => item.actor.kind === "SELF" && item.actor.name === `Amina ${owner.user.lastName}`,
      ),
    ).toBe(true);
    const withoutOwn = await owner.caller.patients.accessLog({ limit: 100, includeOwn: false });
    expect(withoutOwn.items.length).toBeGreaterThan(0);
    expect(withoutOwn.items.every((item) => item.actor.kind !== "SELF")).toBe(true);
  });

  test("reading the log is audited but never listed in it", async () => {
    const owner = await patientWithFile();
    await owner.caller.patients.accessLog({ limit: 10 });
    await owner.caller.patients.accessLog({ limit: 10 });

    expect(
      (await owner.caller.patients.accessLog({ limit: 100 })).items.map((item) => item.action),
    ).not.toContain(ACCESS_LOG_READ);
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const reads = await admin.audit.list({ patientId: owner.patient.id, action: ACCESS_LOG_READ, limit: 10 });
    expect(reads.items).toHaveLength(3);
    expect(reads.items[0]).toMatchObject({
      actorId: owner.user.id,
      patientId: owner.patient.id,
      resourceIds: null,
      outcome: "SUCCESS",
    });
  });

  test("another patient's refused attempt shows their role but never their name; work without an account is SYSTEM; a vanished account UNKNOWN", async () => {
    const owner = await patientWithFile();
    const prying = await patientWithFile(`Curieux${randomUUID().slice(0, 6)}`);
    await expect(prying.caller.patients.get({ id: owner.patient.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await auditAttempt(file.deps, metaOf(null), {
      action: "patient.read",
      outcome: "SUCCESS",
      patientId: owner.patient.id,
    });
    await auditAttempt(file.deps, metaOf({ userId: randomUUID(), role: "STAFF" }), {
      action: "patient.read",
      outcome: "SUCCESS",
      patientId: owner.patient.id,
    });

    const page = await owner.caller.patients.accessLog({ limit: 100, includeOwn: false });

    expect(page.items.slice(0, 3).map((item) => ({ outcome: item.outcome, actor: item.actor }))).toEqual([
      { outcome: "SUCCESS", actor: { kind: "UNKNOWN", name: null, role: "STAFF" } },
      { outcome: "SUCCESS", actor: { kind: "SYSTEM", name: null, role: null } },
      { outcome: "DENIED", actor: { kind: "OTHER_PATIENT", name: null, role: "PATIENT" } },
    ]);
    expect(JSON.stringify(page)).not.toContain(prying.user.firstName);
  });

  test("pages with a cursor, each event once; a cursor of another order is a 400", async () => {
    const owner = await patientWithFile();
    for (let i = 0; i < 5; i++)
      await auditAttempt(file.deps, metaOf(null), {
        action: "patient.read",
        outcome: "SUCCESS",
        patientId: owner.patient.id,
      });
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await owner.caller.patients.accessLog({
        limit: 2,
        includeOwn: false,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(seen).toHaveLength(5);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const first = await owner.caller.patients.accessLog({ limit: 2 });
    await expect(
      owner.caller.patients.accessLog({ limit: 2, order: "asc", cursor: first.nextCursor ?? "" }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_FAILED" } });
  });

  test("a patient without a profile has an empty log; another patient never sees this file's events", async () => {
    const owner = await patientWithFile();
    await auditAttempt(file.deps, metaOf(null), {
      action: "patient.read",
      outcome: "SUCCESS",
      patientId: owner.patient.id,
    });
    const { caller: newcomer } = await signInAs(file.deps, "PATIENT");
    const other = await patientWithFile();

    expect(await newcomer.patients.accessLog({ limit: 100 })).toEqual({ items: [], nextCursor: null });
    const theirs = await other.caller.patients.accessLog({ limit: 100 });
    const mine = await owner.caller.patients.accessLog({ limit: 100 });
    expect(mine.items.length).toBeGreaterThan(0);
    const ids = new Set(theirs.items.map((item) => item.id));
    expect(mine.items.filter((item) => ids.has(item.id))).toEqual([]);
  });
});
