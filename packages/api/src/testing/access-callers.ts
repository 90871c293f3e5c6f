import type { AppointmentStatus, Role, User } from "@medical/db/schema";
import type { Deps } from "#platform/deps.ts";
import { type Caller, callerFor } from "./caller.ts";
import { makeAppointment } from "./factories/appointments.ts";
import { makeDoctor } from "./factories/doctors.ts";
import { makePatient } from "./factories/patients.ts";
import { type SignedIn, signIn, signInAs } from "./sign-in.ts";

/** The callers the cross-tenant tables share (access-table.ts). */

/** Nobody signed in. */
export const anonymous = async (deps: Deps): Promise<Caller> => callerFor(deps);

/** A new account of `role`, signed in, with no profile. */
export const newAccount =
  (role: Role) =>
  async (deps: Deps): Promise<Caller> =>
    (await signInAs(deps, role)).caller;

/** A new DOCTOR with a profile the public sees, signed in. */
export const newDoctor = async (deps: Deps): Promise<Caller> =>
  (await signIn(deps, (await makeDoctor(deps.db)).user)).caller;

/**
 * A new DOCTOR with one appointment of `status` with the world's patient, signed in: with any
 * status but CANCELLED, a doctor who treats that patient (scheduling's care relationship).
 */
export const doctorWithAppointment =
  (status: AppointmentStatus) =>
  async (deps: Deps, world: { patientId: string }): Promise<Caller> => {
    const { doctor, user } = await makeDoctor(deps.db);
    await makeAppointment(deps.db, { doctorId: doctor.id, patientId: world.patientId, status });
    return (await signIn(deps, user)).caller;
  };

/** A new PATIENT with a profile, signed in. */
export const newPatient = async (deps: Deps): Promise<Caller> =>
  (await signIn(deps, (await makePatient(deps.db)).user)).caller;

/** A table's world that knows whose account each caller signed in to, for "own row" checks. */
export interface KnowsAccounts {
  accountOf: Map<Caller, User>;
}

/** Signs in as `who` says and remembers, in the world, whose account the caller holds. */
export function remembered<World extends KnowsAccounts>(
  who: (deps: Deps, world: World) => Promise<SignedIn>,
): (deps: Deps, world: World) => Promise<Caller> {
  return async (deps, world) => {
    const { caller, user } = await who(deps, world);
    world.accountOf.set(caller, user);
    return caller;
  };
}
