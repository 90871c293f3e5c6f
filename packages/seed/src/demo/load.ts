import { makeDoctor, makePatient } from "@medical/api/testing";
import { type Database, selectRows } from "@medical/db";
import { users } from "@medical/db/schema";
import { sql } from "drizzle-orm";
import { ensureSpecialties, textArray } from "../specialties.ts";
import { buildDemoData, DEMO_PASSWORD, type DemoUser } from "./build.ts";

export interface Tally {
  total: number;
  created: number;
}

export interface DemoResult {
  specialties: Tally;
  doctors: Tally;
  patients: Tally;
}

export interface DemoOptions {
  /** The argon2id hash of DEMO_PASSWORD; asked for only when an account is missing. */
  passwordHash: () => Promise<string>;
}

/** E-mails (lower-cased, as the unique index compares them) that already have an account. */
async function existingEmails(db: Database, emails: readonly string[]): Promise<Set<string>> {
  const rows = await selectRows(
    db,
    sql`select lower(email) as email from ${users} where lower(email) = any(${textArray(emails)})`,
  );
  return new Set(rows.map((row) => String(row.email)));
}

const account = (user: DemoUser, passwordHash: string) => ({
  ...user,
  passwordHash,
  isActive: true,
  emailVerifiedAt: new Date(),
});

/**
 * The Algerian demo set through the test factories, keyed by e-mail: an account that exists is
 * left exactly as it is (whatever changed since), a missing one is created with its profile. One
 * transaction, so an interrupted run leaves nothing half made; a second run changes nothing.
 */
export async function loadDemo(db: Database, options: DemoOptions): Promise<DemoResult> {
  const demo = buildDemoData();
  return db.transaction(async (tx) => {
    const { ids, created } = await ensureSpecialties(tx, demo.specialties);
    const present = await existingEmails(
      tx,
      [...demo.doctors, ...demo.patients].map((d) => d.user.email),
    );
    const newDoctors = demo.doctors.filter((d) => !present.has(d.user.email));
    const newPatients = demo.patients.filter((p) => !present.has(p.user.email));
    const passwordHash = newDoctors.length + newPatients.length ? await options.passwordHash() : "";
    for (const { user, profile, specialties: names } of newDoctors) {
      await makeDoctor(tx, {
        user: account(user, passwordHash),
        ...profile,
        specialtyIds: names.map((name) => ids.get(name) ?? ""),
      });
    }
    for (const { user, profile } of newPatients) {
      await makePatient(tx, { user: { ...account(user, passwordHash), role: "PATIENT" }, ...profile });
    }
    return {
      specialties: { total: demo.specialties.length, created },
      doctors: { total: demo.doctors.length, created: newDoctors.length },
      patients: { total: demo.patients.length, created: newPatients.length },
    };
  });
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
