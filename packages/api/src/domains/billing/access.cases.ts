import { randomUUID } from "node:crypto";
import {
  type BillingStatus,
  billingEntries,
  type ClaimStatus,
  insuranceClaims,
  insurancePolicies,
  type User,
} from "@medical/db/schema";
import { eq } from "drizzle-orm";
import {
  anonymous,
  doctorWithAppointment,
  newAccount,
  newDoctor,
  newPatient,
} from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import type { Caller } from "#testing/caller.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn } from "#testing/sign-in.ts";

/** Who sees the owner's billing: the owner, the doctor who treats them, STAFF and ADMIN. */
const parties = {
  owner: "ok",
  otherSameRole: "NOT_FOUND",
  doctor: "ok",
  otherDoctor: "NOT_FOUND",
  cancelledDoctor: "NOT_FOUND",
  staff: "ok",
  admin: "ok",
} as const;

const everyoneNotFound = {
  owner: "NOT_FOUND",
  otherSameRole: "NOT_FOUND",
  doctor: "NOT_FOUND",
  otherDoctor: "NOT_FOUND",
  cancelledDoctor: "NOT_FOUND",
  staff: "NOT_FOUND",
  admin: "NOT_FOUND",
} as const;

/** A number of its own per registration: a provider's number is one patient's (decision record 0031). */
const uniqueNumber = () => `99-${randomUUID().slice(0, 8)}`;

const managers = { staff: "ok", admin: "ok" } as const;
const managersNotFound = { staff: "NOT_FOUND", admin: "NOT_FOUND" } as const;

interface World {
  owner: User;
  patientId: string;
  doctorUser: User;
  appointmentId: string;
  entryId: string;
  policyId: string;
  claimId: string;
  entryStatus(): Promise<BillingStatus | undefined>;
  policyActive(): Promise<boolean | undefined>;
  claimStatus(): Promise<ClaimStatus | undefined>;
}

/** A list's verdict: "ok" when it shows exactly the owner's row, NOT_FOUND when it withholds it. */
async function listed(expected: string, page: Promise<{ items: { id: string }[] }>): Promise<void> {
  const ids = (await page).items.map((item) => item.id);
  if (ids.length === 0)
    throw Object.assign(new Error("the list withheld the owner's row"), { code: "NOT_FOUND" });
  if (ids.join() !== expected) throw new Error(`the list showed ${ids.join()} instead of ${expected}`);
}

/** Runs a change and checks the row changed exactly when the change answered. */
async function changed(after: () => Promise<boolean>, change: Promise<unknown>): Promise<void> {
  const outcome = await change.then(
    () => undefined,
    (error: unknown) => error,
  );
  if ((await after()) === (outcome !== undefined))
    throw new Error("the route answered one thing and did another");
  if (outcome !== undefined) throw outcome;
}

/**
 * The owner is a PATIENT with an appointment (SCHEDULED) with `doctor`, who treats them; an
 * UNPAID entry of 1,000.00 DZD for it, an 80% policy and a SUBMITTED claim of 100.00 DZD on it.
 * `otherDoctor` treats nobody; `cancelledDoctor` has only a CANCELLED appointment with the owner,
 * which makes no care relationship. A list answers NOT_FOUND here when it withheld the owner's
 * rows (the case's own verdict), so a list and a read share the predicate's verdicts.
 */
export const accessTable = defineAccessTable({
  domain: "billing",
  async world(deps): Promise<World> {
    const cipher = deps.fieldCipher;
    const { patient, user } = await makePatient(deps.db);
    const doctor = await makeDoctor(deps.db);
    const appointment = await makeAppointment(deps.db, { doctorId: doctor.doctor.id, patientId: patient.id });
    const entry = await makeBillingEntry(deps.db, {
      patientId: patient.id,
      appointmentId: appointment.id,
      cipher,
      description: "Consultation",
    });
    const policy = await makePolicy(deps.db, { patientId: patient.id, cipher });
    const claim = await makeClaim(deps.db, { policyId: policy.id, billingEntryId: entry.id, cipher });
    const one = async <T>(rows: Promise<T[]>) => (await rows)[0];
    return {
      owner: user,
      patientId: patient.id,
      doctorUser: doctor.user,
      appointmentId: appointment.id,
      entryId: entry.id,
      policyId: policy.id,
      claimId: claim.id,
      entryStatus: async () =>
        (
          await one(
            deps.db
              .select({ status: billingEntries.status })
              .from(billingEntries)
              .where(eq(billingEntries.id, entry.id)),
          )
        )?.status,
      policyActive: async () =>
        (
          await one(
            deps.db
              .select({ isActive: insurancePolicies.isActive })
              .from(insurancePolicies)
              .where(eq(insurancePolicies.id, policy.id)),
          )
        )?.isActive,
      claimStatus: async () =>
        (
          await one(
            deps.db
              .select({ status: insuranceClaims.status })
              .from(insuranceClaims)
              .where(eq(insuranceClaims.id, claim.id)),
          )
        )?.status,
    };
  },
  callers: {
    anonymous,
    owner: async (deps, world): Promise<Caller> => (await signIn(deps, world.owner)).caller,
    otherSameRole: newPatient,
    doctor: async (deps, world): Promise<Caller> => (await signIn(deps, world.doctorUser)).caller,
    otherDoctor: newDoctor,
    cancelledDoctor: doctorWithAppointment("CANCELLED"),
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    // Entries.
    {
      procedure: "billing.mine",
      call: (caller, world) => listed(world.entryId, caller.billing.mine({})),
      expect: { owner: "ok", otherSameRole: "NOT_FOUND" },
    },
    {
      procedure: "billing.list",
      name: "filtered to the owner: their entry for those who see it",
      call: (caller, world) => listed(world.entryId, caller.billing.list({ patientId: world.patientId })),
      expect: { doctor: "ok", otherDoctor: "NOT_FOUND", cancelledDoctor: "NOT_FOUND", ...managers },
    },
    {
      procedure: "billing.byPatient",
      call: (caller, world) =>
        listed(world.entryId, caller.billing.byPatient({ patientId: world.patientId })),
      expect: parties,
    },
    {
      procedure: "billing.byPatient",
      name: "a patient id that does not exist",
      call: (caller) => caller.billing.byPatient({ patientId: randomUUID() }),
      expect: everyoneNotFound,
    },
    {
      procedure: "billing.get",
      async call(caller, world) {
        const entry = await caller.billing.get({ id: world.entryId });
        if (entry.description !== "Consultation") throw new Error("GET /billing/{id} lost the description");
      },
      expect: parties,
    },
    {
      procedure: "billing.get",
      name: "an id that does not exist",
      call: (caller) => caller.billing.get({ id: randomUUID() }),
      expect: everyoneNotFound,
    },
    {
      procedure: "billing.create",
      name: "for the owner's appointment",
      call: (caller, world) =>
        caller.billing.create({
          patientId: world.patientId,
          appointmentId: world.appointmentId,
          amount: { amountMinor: 50_000, currency: "DZD" },
          description: "Radiographie",
        }),
      expect: managers,
    },
    {
      procedure: "billing.create",
      name: "for a patient that does not exist",
      call: (caller) =>
        caller.billing.create({
          patientId: randomUUID(),
          amount: { amountMinor: 50_000, currency: "DZD" },
          description: "Radiographie",
        }),
      expect: managersNotFound,
    },
    {
      procedure: "billing.update",
      name: "marks the entry PAID only when allowed",
      call: (caller, world) =>
        changed(
          async () => (await world.entryStatus()) === "PAID",
          caller.billing.update({ id: world.entryId, status: "PAID" }),
        ),
      expect: managers,
    },
    {
      procedure: "billing.update",
      name: "an id that does not exist",
      call: (caller) => caller.billing.update({ id: randomUUID(), description: "Autre" }),
      expect: managersNotFound,
    },
    // Policies.
    {
      procedure: "billing.policies.create",
      name: "without patientId: a patient for themselves; STAFF and ADMIN must name one",
      call: (caller) =>
        caller.billing.policies.create({
          provider: "CASNOS",
          policyNumber: uniqueNumber(),
          coveragePercent: 50,
          validFrom: "2026-01-01",
        }),
      expect: { owner: "ok", otherSameRole: "ok", staff: "BAD_REQUEST", admin: "BAD_REQUEST" },
    },
    {
      procedure: "billing.policies.create",
      name: "for the owner: the owner, STAFF, ADMIN; another patient is refused",
      call: (caller, world) =>
        caller.billing.policies.create({
          patientId: world.patientId,
          provider: "CASNOS",
          policyNumber: uniqueNumber(),
          coveragePercent: 50,
          validFrom: "2026-01-01",
        }),
      expect: { owner: "ok", ...managers },
    },
    {
      procedure: "billing.policies.create",
      name: "for a patient that does not exist",
      call: (caller) =>
        caller.billing.policies.create({
          patientId: randomUUID(),
          provider: "CASNOS",
          policyNumber: uniqueNumber(),
          coveragePercent: 50,
          validFrom: "2026-01-01",
        }),
      expect: managersNotFound,
    },
    {
      procedure: "billing.policies.mine",
      call: (caller, world) => listed(world.policyId, caller.billing.policies.mine({})),
      expect: { owner: "ok", otherSameRole: "NOT_FOUND" },
    },
    {
      procedure: "billing.policies.byPatient",
      call: (caller, world) =>
        listed(world.policyId, caller.billing.policies.byPatient({ patientId: world.patientId })),
      expect: parties,
    },
    {
      procedure: "billing.policies.byPatient",
      name: "a patient id that does not exist",
      call: (caller) => caller.billing.policies.byPatient({ patientId: randomUUID() }),
      expect: everyoneNotFound,
    },
    {
      procedure: "billing.policies.update",
      name: "changes the policy only when allowed",
      call: (caller, world) =>
        changed(
          async () => (await world.policyActive()) === false,
          caller.billing.policies.update({ id: world.policyId, isActive: false }),
        ),
      expect: managers,
    },
    {
      procedure: "billing.policies.update",
      name: "an id that does not exist",
      call: (caller) => caller.billing.policies.update({ id: randomUUID(), provider: "CAAR" }),
      expect: managersNotFound,
    },
    {
      procedure: "billing.policies.delete",
      name: "deactivates it only when allowed: the owner, STAFF, ADMIN",
      call: (caller, world) =>
        changed(
          async () => (await world.policyActive()) === false,
          caller.billing.policies.delete({ id: world.policyId }),
        ),
      expect: { owner: "ok", otherSameRole: "NOT_FOUND", ...managers },
    },
    {
      procedure: "billing.policies.delete",
      name: "an id that does not exist",
      call: (caller) => caller.billing.policies.delete({ id: randomUUID() }),
      expect: { owner: "NOT_FOUND", otherSameRole: "NOT_FOUND", ...managersNotFound },
    },
    // Claims.
    {
      procedure: "billing.claims.create",
      call: (caller, world) =>
        caller.billing.claims.create({
          policyId: world.policyId,
          billingEntryId: world.entryId,
          amount: { amountMinor: 20_000, currency: "DZD" },
        }),
      expect: managers,
    },
    {
      procedure: "billing.claims.create",
      name: "on a policy that does not exist",
      call: (caller, world) =>
        caller.billing.claims.create({
          policyId: randomUUID(),
          billingEntryId: world.entryId,
          amount: { amountMinor: 20_000, currency: "DZD" },
        }),
      expect: managersNotFound,
    },
    {
      procedure: "billing.claims.byPolicy",
      call: (caller, world) =>
        listed(world.claimId, caller.billing.claims.byPolicy({ policyId: world.policyId })),
      expect: parties,
    },
    {
      procedure: "billing.claims.byPolicy",
      name: "a policy id that does not exist",
      call: (caller) => caller.billing.claims.byPolicy({ policyId: randomUUID() }),
      expect: everyoneNotFound,
    },
    {
      procedure: "billing.claims.update",
      name: "approves the claim only when allowed",
      call: (caller, world) =>
        changed(
          async () => (await world.claimStatus()) === "APPROVED",
          caller.billing.claims.update({ id: world.claimId, status: "APPROVED" }),
        ),
      expect: managers,
    },
    {
      procedure: "billing.claims.update",
      name: "an id that does not exist",
      call: (caller) => caller.billing.claims.update({ id: randomUUID(), status: "APPROVED" }),
      expect: managersNotFound,
    },
  ],
});
