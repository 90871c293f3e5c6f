import { auditEvents, doctors, patients, users } from "@medical/db/schema";
import { TRPCError } from "@trpc/server";
import { desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import type { Caller } from "#testing/caller.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signInAs } from "#testing/sign-in.ts";

/**
 * A world of its own (this file's database): two doctors (one inactive), three patients (one
 * inactive), staff, admins; appointments around month ends; entries in two currencies; claims.
 */
const file = useFileDeps();
let admin: Caller;
let adminId: string;

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  const signedIn = await signInAs(file.deps, "ADMIN");
  admin = signedIn.caller;
  adminId = signedIn.user.id;
  await makeUser(file.db, { role: "STAFF" });
  await makeUser(file.db, { role: "STAFF", isActive: false });
  const { doctor } = await makeDoctor(file.db);
  const { doctor: retired } = await makeDoctor(file.db);
  await file.db.update(doctors).set({ isActive: false }).where(eq(doctors.id, retired.id));
  const [p1, p2, gone] = [await makePatient(file.db), await makePatient(file.db), await makePatient(file.db)];
  await file.db.update(patients).set({ isActive: false }).where(eq(patients.id, gone.patient.id));
  const visit = (
    patientId: string,
    startsAt: string,
    status: "COMPLETED" | "NO_SHOW" | "SCHEDULED" | "CANCELLED",
  ) => makeAppointment(file.db, { doctorId: doctor.id, patientId, startsAt: at(startsAt), status });
  // 2026-10-31T23:30Z is November 1st in Algiers (UTC+1): the zone moves it across the month end.
  await visit(p1.patient.id, "2026-10-31T23:30:00Z", "COMPLETED");
  await visit(p1.patient.id, "2026-10-15T09:00:00Z", "NO_SHOW");
  await visit(p2.patient.id, "2026-11-10T09:00:00Z", "COMPLETED");
  await visit(p2.patient.id, "2026-11-30T23:30:00Z", "CANCELLED");
  await visit(p2.patient.id, "2027-01-05T09:00:00Z", "SCHEDULED");

  const cipher = file.deps.fieldCipher;
  const entry = (
    patientId: string,
    issueDate: string,
    amountMinor: number,
    status: "UNPAID" | "PAID" | "VOID",
    currency = "DZD",
  ) => makeBillingEntry(file.db, { patientId, cipher, issueDate, amountMinor, status, currency });
  const paid = await entry(p1.patient.id, "2026-11-02", 300_000, "PAID");
  await entry(p1.patient.id, "2026-11-20", 150_000, "UNPAID");
  await entry(p2.patient.id, "2026-11-21", 50_000, "UNPAID");
  await entry(p2.patient.id, "2026-12-01", 20_000, "UNPAID", "EUR");
  await entry(p2.patient.id, "2026-10-01", 99_000, "VOID");
  const policy = await makePolicy(file.db, { patientId: p1.patient.id, cipher });
  await makeClaim(file.db, { policyId: policy.id, billingEntryId: paid.id, cipher, status: "PAID" });
  await makeClaim(file.db, { policyId: policy.id, billingEntryId: paid.id, cipher, status: "REJECTED" });
});

describe("GET /admin/reports/summary (ADMIN)", () => {
  test("every figure group, zeros included, over everything", async () => {
    const report = await admin.reports.summary({});
    expect(report.range).toEqual({ from: null, to: null, timezone: "UTC" });
    // Active accounts: this file's admin, one active staff, the doctors' and patients' accounts.
    const activeByRole = await file.db
      .select({ role: users.role })
      .from(users)
      .where(eq(users.isActive, true));
    const expected = { ADMIN: 0, DOCTOR: 0, PATIENT: 0, STAFF: 0 };
    for (const { role } of activeByRole) expected[role] += 1;
    expect(report.usersByRole).toEqual(expected);
    expect(report.usersByRole.STAFF).toBe(1);
    expect(report.activeProfiles).toEqual({ doctors: 1, patients: 2 });
    expect(report.appointmentsByStatus).toEqual({ SCHEDULED: 1, COMPLETED: 2, CANCELLED: 1, NO_SHOW: 1 });
    expect(report.appointmentsByMonth).toEqual([
      { month: "2026-10", count: 2 },
      { month: "2026-11", count: 2 },
      { month: "2027-01", count: 1 },
    ]);
    expect(report.billingTotals).toEqual([
      { status: "PAID", currency: "DZD", amountMinor: 300_000 },
      { status: "UNPAID", currency: "DZD", amountMinor: 200_000 },
      { status: "UNPAID", currency: "EUR", amountMinor: 20_000 },
      { status: "VOID", currency: "DZD", amountMinor: 99_000 },
    ]);
    expect(report.claimsByStatus).toEqual({ SUBMITTED: 0, APPROVED: 0, REJECTED: 1, PAID: 1 });
  });

  test("a range of days on a zone's calendar: months and day bounds drawn in that zone", async () => {
    const algiers = await admin.reports.summary({
      from: "2026-11-01",
      to: "2026-11-30",
      timezone: "africa/algiers",
    });
    expect(algiers.range).toEqual({ from: "2026-11-01", to: "2026-11-30", timezone: "Africa/Algiers" });
    // 2026-10-31T23:30Z is in (November 1st, 00:30 in Algiers); 2026-11-30T23:30Z is not (December 1st).
    expect(algiers.appointmentsByMonth).toEqual([{ month: "2026-11", count: 2 }]);
    expect(algiers.appointmentsByStatus).toEqual({ SCHEDULED: 0, COMPLETED: 2, CANCELLED: 0, NO_SHOW: 0 });
    expect(algiers.billingTotals).toEqual([
      { status: "PAID", currency: "DZD", amountMinor: 300_000 },
      { status: "UNPAID", currency: "DZD", amountMinor: 200_000 },
    ]);
    const utc = await admin.reports.summary({ from: "2026-11-01", to: "2026-11-30" });
    expect(utc.appointmentsByMonth).toEqual([{ month: "2026-11", count: 2 }]);
    expect(utc.appointmentsByStatus).toEqual({ SCHEDULED: 0, COMPLETED: 1, CANCELLED: 1, NO_SHOW: 0 });
    // Accounts and profiles are counted as they are now, whatever the range.
    expect(utc.usersByRole).toEqual((await admin.reports.summary({})).usersByRole);
  });

  test("is audited: who asked, for which range", async () => {
    await admin.reports.summary({ from: "2026-01-01" });
    const [event] = await file.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "report.summary"))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    expect(event).toMatchObject({
      actorId: adminId,
      outcome: "SUCCESS",
      patientId: null,
      details: { from: "2026-01-01", to: null, timezone: "UTC" },
    });
  });

  test("bad input is 400: reversed range, unknown zone, malformed or impossible dates, unknown keys", async () => {
    const code = (call: Promise<unknown>) =>
      call.then(
        () => "ok",
        (error: unknown) => (error instanceof TRPCError ? error.code : "other"),
      );
    const bad = [
      admin.reports.summary({ from: "2026-12-01", to: "2026-11-01" }),
      admin.reports.summary({ timezone: "Mars/Olympus" }),
      admin.reports.summary({ timezone: "+01:00" }),
      admin.reports.summary({ from: "2026-02-30" }),
      admin.reports.summary({ to: "01/12/2026" }),
      // @ts-expect-error: not an input of the report
      admin.reports.summary({ doctorId: adminId }),
    ];
    expect(await Promise.all(bad.map(code))).toEqual(bad.map(() => "BAD_REQUEST"));
  });
});
