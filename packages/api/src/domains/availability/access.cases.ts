import { availabilityRules, type User } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { anonymous, newAccount, newDoctor, newPatient } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makeException, makeRule } from "#testing/factories/availability.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { signIn } from "#testing/sign-in.ts";
import { addDays, localDateIn } from "./wall-time.ts";

/** Everybody reads a doctor's availability, signed in or not. */
const everyone = {
  anonymous: "ok",
  owner: "ok",
  otherSameRole: "ok",
  patient: "ok",
  staff: "ok",
  admin: "ok",
} as const;
/** The doctor manages their own; ADMIN any doctor's; another doctor does not see the row. */
const ownerOrAdmin = { owner: "ok", otherSameRole: "NOT_FOUND", admin: "ok" } as const;
/** A deactivated doctor has no availability for anybody, ADMIN included. */
const nobody = {
  anonymous: "NOT_FOUND",
  owner: "NOT_FOUND",
  otherSameRole: "NOT_FOUND",
  patient: "NOT_FOUND",
  staff: "NOT_FOUND",
  admin: "NOT_FOUND",
} as const;

interface World {
  owner: User;
  doctorId: string;
  ruleId: string;
  exceptionId: string;
  /** A deactivated doctor's profile, with hours and an exception of its own. */
  inactiveDoctorId: string;
  inactiveRuleId: string;
  inactiveExceptionId: string;
  /** A date a week ahead in the doctors' zone (Africa/Algiers, the default). */
  nextWeek: string;
  /** The start time of the owner's rule, read straight from the table. */
  ruleStart(): Promise<number | undefined>;
}

/**
 * The owner is a DOCTOR with Sunday hours and a day of time off next week; the other doctor has
 * a profile of their own. PATIENT and STAFF read everything and change nothing (403); another
 * doctor's rows are NOT_FOUND to a doctor, so their existence does not leak.
 */
export const accessTable = defineAccessTable({
  domain: "availability",
  async world(deps): Promise<World> {
    const nextWeek = addDays(localDateIn("Africa/Algiers", deps.clock.now()), 7);
    const { doctor, user } = await makeDoctor(deps.db);
    const rule = await makeRule(deps.db, doctor.id);
    const exception = await makeException(deps.db, doctor.id, nextWeek);
    const inactive = await makeDoctor(deps.db, { isActive: false });
    const inactiveRule = await makeRule(deps.db, inactive.doctor.id);
    const inactiveException = await makeException(deps.db, inactive.doctor.id, nextWeek);
    return {
      owner: user,
      doctorId: doctor.id,
      ruleId: rule.id,
      exceptionId: exception.id,
      inactiveDoctorId: inactive.doctor.id,
      inactiveRuleId: inactiveRule.id,
      inactiveExceptionId: inactiveException.id,
      nextWeek,
      async ruleStart() {
        const [row] = await deps.db
          .select({ start: availabilityRules.startMinute })
          .from(availabilityRules)
          .where(eq(availabilityRules.id, rule.id));
        return row?.start;
      },
    };
  },
  callers: {
    anonymous,
    owner: async (deps, world) => (await signIn(deps, world.owner)).caller,
    otherSameRole: newDoctor,
    patient: newPatient,
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "availability.list",
      async call(caller, world) {
        const page = await caller.availability.list({ id: world.doctorId });
        if (page.items.map((rule) => rule.id).join() !== world.ruleId)
          throw new Error("GET /doctors/{id}/availability listed other hours");
      },
      expect: everyone,
    },
    {
      procedure: "availability.list",
      name: "a deactivated doctor",
      call: (caller, world) => caller.availability.list({ id: world.inactiveDoctorId }),
      expect: nobody,
    },
    {
      procedure: "availability.create",
      call: (caller, world) =>
        caller.availability.create({ id: world.doctorId, weekday: 1, startTime: "09:00", endTime: "12:00" }),
      expect: ownerOrAdmin,
    },
    {
      procedure: "availability.create",
      name: "for a deactivated doctor",
      call: (caller, world) =>
        caller.availability.create({
          id: world.inactiveDoctorId,
          weekday: 1,
          startTime: "09:00",
          endTime: "12:00",
        }),
      expect: { owner: "NOT_FOUND", otherSameRole: "NOT_FOUND", admin: "NOT_FOUND" },
    },
    {
      procedure: "availability.update",
      name: "changes the owner's hours only when allowed",
      async call(caller, world) {
        const changed = caller.availability.update({ availabilityId: world.ruleId, startTime: "08:00" });
        const outcome = await changed.then(
          () => undefined,
          (error: unknown) => error,
        );
        const moved = (await world.ruleStart()) === 480;
        if (moved === (outcome !== undefined))
          throw new Error("PATCH /doctors/availability/{id} answered one thing and did another");
        if (outcome !== undefined) throw outcome;
      },
      expect: ownerOrAdmin,
    },
    {
      procedure: "availability.update",
      name: "hours of a deactivated doctor",
      call: (caller, world) =>
        caller.availability.update({ availabilityId: world.inactiveRuleId, isActive: false }),
      expect: { owner: "NOT_FOUND", otherSameRole: "NOT_FOUND", admin: "NOT_FOUND" },
    },
    {
      procedure: "availability.update",
      name: "an id that does not exist",
      call: (caller) => caller.availability.update({ availabilityId: crypto.randomUUID(), isActive: false }),
      expect: { owner: "NOT_FOUND", otherSameRole: "NOT_FOUND", admin: "NOT_FOUND" },
    },
    {
      procedure: "availability.delete",
      name: "removes the owner's hours only when allowed",
      async call(caller, world) {
        const outcome = await caller.availability.delete({ availabilityId: world.ruleId }).then(
          () => undefined,
          (error: unknown) => error,
        );
        const gone = (await world.ruleStart()) === undefined;
        if (gone === (outcome !== undefined))
          throw new Error("DELETE /doctors/availability/{id} answered one thing and did another");
        if (outcome !== undefined) throw outcome;
      },
      expect: ownerOrAdmin,
    },
    {
      procedure: "availability.delete",
      name: "hours of a deactivated doctor",
      call: (caller, world) => caller.availability.delete({ availabilityId: world.inactiveRuleId }),
      expect: { owner: "NOT_FOUND", otherSameRole: "NOT_FOUND", admin: "NOT_FOUND" },
    },
    {
      procedure: "availability.listExceptions",
      async call(caller, world) {
        const page = await caller.availability.listExceptions({ id: world.doctorId });
        if (page.items.map((exception) => exception.id).join() !== world.exceptionId)
          throw new Error("GET /doctors/{id}/availability/exceptions listed other exceptions");
      },
      expect: everyone,
    },
    {
      procedure: "availability.listExceptions",
      name: "a deactivated doctor",
      call: (caller, world) => caller.availability.listExceptions({ id: world.inactiveDoctorId }),
      expect: nobody,
    },
    {
      procedure: "availability.createException",
      call: (caller, world) =>
        caller.availability.createException({
          id: world.doctorId,
          kind: "EXTRA_HOURS",
          startDate: world.nextWeek,
          endDate: world.nextWeek,
          startTime: "14:00",
          endTime: "16:00",
        }),
      expect: ownerOrAdmin,
    },
    {
      procedure: "availability.createException",
      name: "for a deactivated doctor",
      call: (caller, world) =>
        caller.availability.createException({
          id: world.inactiveDoctorId,
          kind: "TIME_OFF",
          startDate: world.nextWeek,
          endDate: world.nextWeek,
        }),
      expect: { owner: "NOT_FOUND", otherSameRole: "NOT_FOUND", admin: "NOT_FOUND" },
    },
    {
      procedure: "availability.deleteException",
      call: (caller, world) => caller.availability.deleteException({ exceptionId: world.exceptionId }),
      expect: ownerOrAdmin,
    },
    {
      procedure: "availability.deleteException",
      name: "an exception of a deactivated doctor",
      call: (caller, world) =>
        caller.availability.deleteException({ exceptionId: world.inactiveExceptionId }),
      expect: { owner: "NOT_FOUND", otherSameRole: "NOT_FOUND", admin: "NOT_FOUND" },
    },
  ],
});
