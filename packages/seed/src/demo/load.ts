import { type AuditMeta, ensureAccount, writeDoctorProfile, writePatientProfile } from "@medical/api";
import type { OperatorDeps } from "../operator.ts";
import { ensureSpecialties } from "../specialties.ts";
import { buildDemoData, DEMO_PASSWORD, type DemoDoctor, type DemoPatient } from "./build.ts";

export interface Tally {
  total: number;
  created: number;
}

export interface DemoResult {
  specialties: Tally;
  doctors: Tally;
  patients: Tally;
}

/** A demo doctor's account with its profile and specialties, written by the doctors service. */
function ensureDoctor(deps: OperatorDeps, audit: AuditMeta, demo: DemoDoctor, specialtyIds: string[]) {
  const { feeAmountMinor, ...profile } = demo.profile;
  return ensureAccount(
    deps,
    audit,
    { ...demo.user, password: DEMO_PASSWORD, role: "DOCTOR", via: "seed" },
    writeDoctorProfile({ ...profile, fee: { amountMinor: feeAmountMinor, currency: "DZD" }, specialtyIds }),
  );
}

/** A demo patient's account with its profile (no clinical fields), written by the patients service. */
function ensurePatient(deps: OperatorDeps, audit: AuditMeta, demo: DemoPatient) {
  const { emergencyContactName, emergencyContactRelation, emergencyContactPhone, ...profile } = demo.profile;
  return ensureAccount(
    deps,
    audit,
    { ...demo.user, password: DEMO_PASSWORD, role: "PATIENT", via: "seed" },
    writePatientProfile(deps, {
      ...profile,
      emergencyContact: {
        name: emergencyContactName,
        relation: emergencyContactRelation,
        phone: emergencyContactPhone,
      },
    }),
  );
}

/**
 * The Algerian demo set, keyed by e-mail, through the API's account service: an account that
 * exists is left exactly as it is (whatever changed since), a missing one is created with its
 * profile in one transaction, so an interrupted run leaves whole accounts and the next run adds
 * the rest; a second run changes nothing.
 */
export async function loadDemo(deps: OperatorDeps, audit: AuditMeta): Promise<DemoResult> {
  const demo = buildDemoData();
  const { ids, created } = await ensureSpecialties(deps.db, demo.specialties);
  let doctorsCreated = 0;
  for (const doctor of demo.doctors) {
    const specialtyIds = doctor.specialties.map((name) => {
      const id = ids.get(name);
      if (!id) throw new Error(`demo specialty ${name} is missing`);
      return id;
    });
    if ((await ensureDoctor(deps, audit, doctor, specialtyIds)).created) doctorsCreated += 1;
  }
  let patientsCreated = 0;
  for (const patient of demo.patients) {
    if ((await ensurePatient(deps, audit, patient)).created) patientsCreated += 1;
  }
  return {
    specialties: { total: demo.specialties.length, created },
    doctors: { total: demo.doctors.length, created: doctorsCreated },
    patients: { total: demo.patients.length, created: patientsCreated },
  };
}

/** "Demo data: 10 specialties (0 new), 30 doctors (30 new), 30 patients (30 new); password …" */
export function describeDemo(result: DemoResult): string {
  const part = (label: string, { total, created }: Tally) => `${total} ${label} (${created} new)`;
  return (
    `Demo data: ${part("specialties", result.specialties)}, ${part("doctors", result.doctors)}, ` +
    `${part("patients", result.patients)}; every demo account signs in with ${DEMO_PASSWORD} ` +
    `(e.g. ${buildDemoData().doctors[0]?.user.email}).`
  );
}
