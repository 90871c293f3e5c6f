import type { Appointment, Patient, User } from "@medical/db/schema";
import type { Deps } from "#platform/deps.ts";
import type { Caller } from "./caller.ts";
import { makeAppointment } from "./factories/appointments.ts";
import { makeDoctor } from "./factories/doctors.ts";
import { makePatient } from "./factories/patients.ts";
import { signIn, signInAs } from "./sign-in.ts";

/** Scenarios of the billing tests: a patient, the doctor who treats them, the front desk. */

export interface SignedInParty {
  user: User;
  caller: Caller;
}

export interface BillingScene {
  patient: Patient & { caller: Caller; user: User };
  /** A SCHEDULED appointment of the patient with `doctor`, `days` ahead (default 2) in Algiers. */
  appointment: Appointment;
  /** Treats the patient through `appointment`. */
  doctor: SignedInParty;
  staff: SignedInParty;
  admin: SignedInParty;
}

/** A signed-in patient with a profile, treated by a signed-in doctor, and signed-in STAFF and ADMIN. */
export async function billingScene(
  deps: Deps,
  options: { appointmentStartsAt?: Date } = {},
): Promise<BillingScene> {
  const { patient, user } = await makePatient(deps.db);
  const doctor = await makeDoctor(deps.db);
  const appointment = await makeAppointment(deps.db, {
    doctorId: doctor.doctor.id,
    patientId: patient.id,
    ...(options.appointmentStartsAt ? { startsAt: options.appointmentStartsAt } : {}),
  });
  const [patientIn, doctorIn, staff, admin] = await Promise.all([
    signIn(deps, user),
    signIn(deps, doctor.user),
    signInAs(deps, "STAFF"),
    signInAs(deps, "ADMIN"),
  ]);
  return {
    patient: { ...patient, user, caller: patientIn.caller },
    appointment,
    doctor: { user: doctor.user, caller: doctorIn.caller },
    staff: { user: staff.user, caller: staff.caller },
    admin: { user: admin.user, caller: admin.caller },
  };
}
