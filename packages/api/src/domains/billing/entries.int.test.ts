import { auditEvents, domainEvents } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { localDateIn } from "#domains/availability/public.ts";
import { billingScene } from "#testing/billing.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { refusalOf } from "#testing/refusal.ts";
import { signIn } from "#testing/sign-in.ts";

const file = useFileDeps();

const today = () => localDateIn("Africa/Algiers", new Date());
/** A 400 VALIDATION_FAILED naming `path` among its issues. */
async function refusedFor(path: string, call: Promise<unknown>) {
  const refusal = await refusalOf(call);
  expect(refusal).toMatchObject({ appCode: "VALIDATION_FAILED" });
  expect(refusal.paths).toContain(path);
}
const invalidTransition = { code: "CONFLICT", cause: { code: "INVALID_TRANSITION" } };

const auditsOf = (targetId: string, action: string) =>
  file.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetId, targetId), eq(auditEvents.action, action)))
    .orderBy(auditEvents.id);

describe("issuing a bill", () => {
  test("STAFF bills a patient's appointment: the entry, its audit event and bill.issued, together", async () => {
    const scene = await billingScene(file.deps);
    const heard: unknown[] = [];
    const stop = file.deps.events.subscribe("bill.issued", (event) => heard.push(event));
    const entry = await scene.staff.caller.billing.create({
      patientId: scene.patient.id,
      appointmentId: scene.appointment.id,
      amount: { amountMinor: 300_000 },
      description: "Consultation de cardiologie",
      dueDate: "2099-01-31",
    });
    stop();
    expect(entry).toMatchObject({
      patientId: scene.patient.id,
      appointmentId: scene.appointment.id,
      amount: { amountMinor: 300_000, currency: "DZD" },
      description: "Consultation de cardiologie",
      status: "UNPAID",
      issueDate: today(),
      dueDate: "2099-01-31",
      paidDate: null,
      serviceDate: localDateIn("Africa/Algiers", scene.appointment.startsAt),
    });
    const payload = {
      v: 1,
      billingEntryId: entry.id,
      patientId: scene.patient.id,
      appointmentId: scene.appointment.id,
      actorId: scene.staff.user.id,
    };
    expect(heard).toEqual([payload]);
    const outbox = await file.db.select().from(domainEvents).where(eq(domainEvents.type, "bill.issued"));
    expect(outbox.filter((event) => event.actorId === scene.staff.user.id)).toMatchObject([{ payload }]);
    expect(await auditsOf(entry.id, "billing_entry.created")).toMatchObject([
      { outcome: "SUCCESS", actorId: scene.staff.user.id, actorRole: "STAFF", patientId: scene.patient.id },
    ]);
  });

  test("without an appointment, the entry's date is its issue date", async () => {
    const scene = await billingScene(file.deps);
    const entry = await scene.admin.caller.billing.create({
      patientId: scene.patient.id,
      amount: { amountMinor: 1, currency: "EUR" },
      description: "Certificat",
      issueDate: "2026-03-02",
    });
    expect(entry).toMatchObject({
      appointmentId: null,
      amount: { amountMinor: 1, currency: "EUR" },
      issueDate: "2026-03-02",
      serviceDate: "2026-03-02",
    });
  });

  test("another patient's appointment, or an unknown one, is a 400 naming appointmentId; the refusal is audited", async () => {
    const scene = await billingScene(file.deps);
    const other = await makePatient(file.db);
    const theirs = await makeAppointment(file.db, {
      doctorId: (await makeDoctor(file.db)).doctor.id,
      patientId: other.patient.id,
    });
    for (const appointmentId of [theirs.id, crypto.randomUUID()])
      await refusedFor(
        "appointmentId",
        scene.staff.caller.billing.create({
          patientId: scene.patient.id,
          appointmentId,
          amount: { amountMinor: 10 },
          description: "X",
        }),
      );
    expect(await auditsOf(theirs.id, "billing_entry.created")).toMatchObject([
      { outcome: "DENIED", targetType: "appointment", patientId: scene.patient.id },
    ]);
  });

  test("bad input is a 400: no amount, zero, fractions, a lower-case currency, dates out of order or in the future, unknown keys", async () => {
    const scene = await billingScene(file.deps);
    const base = { patientId: scene.patient.id, description: "Acte", amount: { amountMinor: 100 } };
    const create = (input: Record<string, unknown>) =>
      // Bad input on purpose: what a client may send, whatever the types say.
      scene.staff.caller.billing.create(JSON.parse(JSON.stringify({ ...base, ...input })));
    for (const [input, path] of [
      [{ amount: { amountMinor: 0 } }, "amount.amountMinor"],
      [{ amount: { amountMinor: 1.5 } }, "amount.amountMinor"],
      [{ amount: { amountMinor: 1_000_000_001 } }, "amount.amountMinor"],
      [{ amount: { amountMinor: 10, currency: "dzd" } }, "amount.currency"],
      [{ amount: undefined }, "amount"],
      [{ description: "  " }, "description"],
      [{ description: "x".repeat(501) }, "description"],
      [{ issueDate: "2026-02-10", dueDate: "2026-02-09" }, "dueDate"],
      [{ dueDate: "2000-01-01" }, "dueDate"],
      [{ issueDate: "2999-01-01" }, "issueDate"],
      [{ issueDate: "2026-02-30" }, "issueDate"],
      [{ patientId: "not-a-uuid" }, "patientId"],
    ] as const)
      await refusedFor(path, create(input));
    const unknownKey = await refusalOf(create({ status: "PAID" }));
    expect(unknownKey.appCode).toBe("VALIDATION_FAILED");
  });
});

describe("an entry's statuses: UNPAID → PAID | VOID, both final", () => {
  test("UNPAID → PAID with today's date or the one given; then nothing changes it", async () => {
    const scene = await billingScene(file.deps);
    const one = await makeBillingEntry(file.db, {
      patientId: scene.patient.id,
      cipher: file.deps.fieldCipher,
    });
    const two = await makeBillingEntry(file.db, {
      patientId: scene.patient.id,
      cipher: file.deps.fieldCipher,
    });
    await expect(scene.staff.caller.billing.update({ id: one.id, status: "PAID" })).resolves.toMatchObject({
      status: "PAID",
      paidDate: today(),
    });
    await expect(
      scene.admin.caller.billing.update({ id: two.id, status: "PAID", paidDate: "2026-01-05" }),
    ).resolves.toMatchObject({ status: "PAID", paidDate: "2026-01-05" });
    for (const change of [
      { status: "VOID" },
      { status: "PAID" },
      { description: "Autre" },
      { dueDate: null },
    ] as const)
      await expect(scene.staff.caller.billing.update({ id: one.id, ...change })).rejects.toMatchObject(
        invalidTransition,
      );
    expect(
      (await auditsOf(one.id, "billing_entry.updated")).map((row) => [
        row.outcome,
        row.details?.reason ?? null,
      ]),
    ).toEqual([["SUCCESS", null], ...Array.from({ length: 4 }, () => ["DENIED", "final"])]);
  });

  test("UNPAID → VOID; then nothing changes it", async () => {
    const scene = await billingScene(file.deps);
    const entry = await makeBillingEntry(file.db, {
      patientId: scene.patient.id,
      cipher: file.deps.fieldCipher,
    });
    await expect(scene.staff.caller.billing.update({ id: entry.id, status: "VOID" })).resolves.toMatchObject({
      status: "VOID",
      paidDate: null,
    });
    for (const status of ["PAID", "VOID"] as const)
      await expect(scene.staff.caller.billing.update({ id: entry.id, status })).rejects.toMatchObject(
        invalidTransition,
      );
  });

  test("an entry with live claims is not voided until they are rejected", async () => {
    const scene = await billingScene(file.deps);
    const cipher = file.deps.fieldCipher;
    const entry = await makeBillingEntry(file.db, { patientId: scene.patient.id, cipher });
    const policy = await makePolicy(file.db, { patientId: scene.patient.id, cipher });
    const claim = await makeClaim(file.db, { policyId: policy.id, billingEntryId: entry.id, cipher });
    await makeClaim(file.db, { policyId: policy.id, billingEntryId: entry.id, cipher, status: "REJECTED" });
    await expect(scene.staff.caller.billing.update({ id: entry.id, status: "VOID" })).rejects.toMatchObject({
      ...invalidTransition,
      message: expect.stringMatching(/live claims/),
    });
    await scene.staff.caller.billing.claims.update({ id: claim.id, status: "REJECTED", reason: "Doublon" });
    await expect(scene.staff.caller.billing.update({ id: entry.id, status: "VOID" })).resolves.toMatchObject({
      status: "VOID",
    });
  });

  test("an UNPAID entry's description and due date change (null clears the due date); bad changes are 400", async () => {
    const scene = await billingScene(file.deps);
    const entry = await makeBillingEntry(file.db, {
      patientId: scene.patient.id,
      cipher: file.deps.fieldCipher,
      issueDate: "2026-02-01",
      dueDate: "2026-03-01",
    });
    await expect(
      scene.staff.caller.billing.update({ id: entry.id, description: "Échographie", dueDate: "2026-04-01" }),
    ).resolves.toMatchObject({ description: "Échographie", dueDate: "2026-04-01", status: "UNPAID" });
    await expect(scene.staff.caller.billing.update({ id: entry.id, dueDate: null })).resolves.toMatchObject({
      dueDate: null,
    });
    await refusedFor("dueDate", scene.staff.caller.billing.update({ id: entry.id, dueDate: "2026-01-31" }));
    await expect(scene.staff.caller.billing.update({ id: entry.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await refusedFor(
      "paidDate",
      scene.staff.caller.billing.update({ id: entry.id, status: "VOID", paidDate: "2026-02-02" }),
    );
  });
});

describe("reading entries", () => {
  test("one entry's read is audited; a refused one too, without the patient", async () => {
    const scene = await billingScene(file.deps);
    const entry = await makeBillingEntry(file.db, {
      patientId: scene.patient.id,
      cipher: file.deps.fieldCipher,
    });
    const stranger = await signIn(file.deps, (await makePatient(file.db)).user);
    await scene.patient.caller.billing.get({ id: entry.id });
    await scene.doctor.caller.billing.get({ id: entry.id });
    await expect(stranger.caller.billing.get({ id: entry.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(
      (await auditsOf(entry.id, "billing_entry.read")).map((row) => [
        row.outcome,
        row.actorId,
        row.patientId,
      ]),
    ).toEqual([
      ["SUCCESS", scene.patient.user.id, scene.patient.id],
      ["SUCCESS", scene.doctor.user.id, scene.patient.id],
      ["DENIED", stranger.user.id, null],
    ]);
  });

  test("lists are newest first in keyset pages, filtered by status, and audited with the ids they returned", async () => {
    const scene = await billingScene(file.deps);
    const cipher = file.deps.fieldCipher;
    const made = [];
    for (const [i, status] of (["UNPAID", "PAID", "UNPAID", "VOID"] as const).entries())
      made.push(
        await makeBillingEntry(file.db, {
          patientId: scene.patient.id,
          cipher,
          status,
          createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
        }),
      );
    const newestFirst = made.map((entry) => entry.id).reverse();
    const first = await scene.patient.caller.billing.mine({ limit: 3 });
    expect(first.items.map((item) => item.id)).toEqual(newestFirst.slice(0, 3));
    const second = await scene.patient.caller.billing.mine({
      limit: 3,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second).toMatchObject({ items: [{ id: newestFirst[3] }], nextCursor: null });
    const unpaid = await scene.doctor.caller.billing.byPatient({
      patientId: scene.patient.id,
      status: ["UNPAID"],
    });
    expect(unpaid.items.map((item) => item.id)).toEqual([made[2]?.id, made[0]?.id]);
    const oldest = await scene.staff.caller.billing.list({
      patientId: scene.patient.id,
      order: "asc",
      limit: 1,
    });
    expect(oldest.items.map((item) => item.id)).toEqual([made[0]?.id]);

    const lists = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "billing_entry.list"), eq(auditEvents.patientId, scene.patient.id)))
      .orderBy(auditEvents.id);
    expect(lists.map((row) => [row.actorId, row.resourceIds, row.details?.view])).toEqual([
      [scene.patient.user.id, newestFirst.slice(0, 3), "mine"],
      [scene.patient.user.id, newestFirst.slice(3), "mine"],
      [scene.doctor.user.id, [made[2]?.id, made[0]?.id], "patient"],
      [scene.staff.user.id, [made[0]?.id], "all"],
    ]);
  });

  test("a doctor's GET /billing lists the entries of the patients they treat, none of the others", async () => {
    const scene = await billingScene(file.deps);
    const cipher = file.deps.fieldCipher;
    const treated = await makeBillingEntry(file.db, { patientId: scene.patient.id, cipher });
    const other = await makePatient(file.db);
    await makeBillingEntry(file.db, { patientId: other.patient.id, cipher });
    const page = await scene.doctor.caller.billing.list({ limit: 100 });
    expect(page.items.map((item) => item.id)).toEqual([treated.id]);
    const forOther = await scene.doctor.caller.billing.list({ patientId: other.patient.id });
    expect(forOther.items).toEqual([]);
  });

  test("a patient without a profile lists nothing; a tampered cursor is a 400", async () => {
    const scene = await billingScene(file.deps);
    const { caller } = await signIn(file.deps, (await makePatient(file.db)).user);
    expect(await caller.billing.mine({})).toEqual({ items: [], nextCursor: null });
    await refusedFor("cursor", scene.patient.caller.billing.mine({ cursor: "bm90LWEtY3Vyc29y" }));
  });
});
