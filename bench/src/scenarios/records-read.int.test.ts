import {
  callerFor,
  makeAppointment,
  makeDoctor,
  makeMedicalRecord,
  makePatient,
  makeTestDeps,
  TEST_ENCRYPTION_KEY,
  TEST_JWT_SECRET,
  TEST_PASSWORD,
} from "@medical/api/testing";
import { selectRows } from "@medical/db";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BareRoute } from "../scenario.ts";
import { bareGet, queryOn, tokensOf, wire } from "../twin-testing.ts";
import { bareDoctorRecords, recordsRead } from "./records-read.ts";

/**
 * The bare twin is a baseline only if it answers what the server answers: the same items (their
 * decrypted text included) and cursors (each side walks its own), page after page, for a doctor
 * with a small practice (the patients' index plan) and one with a large practice (the walk), each
 * reading their patients' records written by them and by other doctors, a patient's note, with and
 * without follow-up dates; deleted records and untreated patients' records are never listed.
 */
const DAY_MS = 86_400_000;
/** More care appointments than the service's WALK_BEYOND_CARE_APPOINTMENTS: the large practice's plan. */
const LARGE_PRACTICE = 1_001;
let handle: TestDatabase;
const emails = { small: "", large: "" };
/** The twin's route with the test deps' key: the server decrypts with it, and so must the twin. */
const route = bareDoctorRecords(new Map([[TEST_ENCRYPTION_KEY.id, TEST_ENCRYPTION_KEY.key]]));

beforeAll(async () => {
  handle = await openFileDatabase();
  const deps = makeTestDeps(handle);
  const [small, large, other] = [
    await makeDoctor(handle.db),
    await makeDoctor(handle.db),
    await makeDoctor(handle.db),
  ];
  emails.small = small.user.email;
  emails.large = large.user.email;
  const patients = [await makePatient(handle.db), await makePatient(handle.db), await makePatient(handle.db)];
  const stranger = await makePatient(handle.db);
  const now = Date.now();
  // The small practice sees the first two patients; the large one all three, and the stranger is
  // seen by the other doctor only.
  for (const [i, { patient }] of patients.entries()) {
    if (i < 2)
      await makeAppointment(handle.db, {
        doctorId: small.doctor.id,
        patientId: patient.id,
        status: "COMPLETED",
        startsAt: new Date(now - (i + 2) * DAY_MS),
      });
    await makeAppointment(handle.db, {
      doctorId: other.doctor.id,
      patientId: patient.id,
      status: "COMPLETED",
      startsAt: new Date(now - (i + 10) * DAY_MS),
    });
  }
  await makeAppointment(handle.db, {
    doctorId: other.doctor.id,
    patientId: stranger.patient.id,
    status: "COMPLETED",
    startsAt: new Date(now - 30 * DAY_MS),
  });
  // The large practice: LARGE_PRACTICE visits an hour apart, over the three patients in turn.
  await handle.db.execute(sql`
    insert into appointments (doctor_id, patient_id, starts_at, ends_at, timezone, status, created_by)
    select ${large.doctor.id}, (array[${sql.join(
      patients.map((p) => sql`${p.patient.id}::uuid`),
      sql`, `,
    )}])[1 + g % 3],
      now() - (g + 2000) * interval '1 hour', now() - (g + 2000) * interval '1 hour' + interval '30 minutes',
      'Africa/Algiers', 'COMPLETED', ${large.user.id}
    from generate_series(1, ${LARGE_PRACTICE}) g`);
  // 24 records over the three patients by the three doctors (one a patient's note), then one
  // deleted and one of the stranger, which no list shows.
  const authors = [small.doctor.id, large.doctor.id, other.doctor.id];
  for (let i = 0; i < 24; i++) {
    const patient = patients[i % 3]?.patient;
    if (!patient) throw new Error("no patient");
    await makeMedicalRecord(handle.db, {
      cipher: deps.fieldCipher,
      patientId: patient.id,
      doctorId: i === 7 ? null : authors[i % 3],
      createdAt: new Date(now - i * 3_600_000),
      updatedAt: new Date(now - i * 3_600_000),
      followUpDate: i % 4 === 0 ? "2027-03-01" : null,
      ...(i === 7
        ? { content: { note: "Allergie à la pénicilline" } }
        : {
            content: {
              diagnoses: [{ code: "I10", description: `Hypertension ${i}` }],
              prescriptions: [
                {
                  medication: "Amlor 5 mg",
                  dosage: "1 comprimé",
                  route: "orale",
                  frequency: "le matin",
                  duration: "3 mois",
                  instructions: null,
                },
              ],
              treatmentPlan: i % 2 ? "Régime hyposodé" : null,
            },
          }),
    });
  }
  await makeMedicalRecord(handle.db, {
    cipher: deps.fieldCipher,
    patientId: patients[0]?.patient.id ?? "",
    doctorId: other.doctor.id,
    deletedAt: new Date(now),
    deletedBy: other.user.id,
    deletedByRole: "DOCTOR",
    deletionReason: "saisie dans le mauvais dossier",
  });
  await makeMedicalRecord(handle.db, {
    cipher: deps.fieldCipher,
    patientId: stranger.patient.id,
    doctorId: other.doctor.id,
  });
}, 120_000);
afterAll(() => handle.close());

const twin = { query: queryOn(() => handle.db), tokens: tokensOf(TEST_JWT_SECRET) };

const call = (route: BareRoute, path: string, authorization?: string) =>
  bareGet(route, twin, path, authorization);

describe("the records.read bare twin", () => {
  test("is the scenario's route, on the doctor's records path", () => {
    expect(recordsRead.bare.map((route) => route.path)).toEqual([route.path]);
  });

  test.each([
    ["a small practice (the patients' index)", "small", 16, 4],
    ["a large practice (the walk)", "large", 24, 5],
  ] as const)(
    "%s: the server's pages and cursors, walked to the end on both sides",
    async (_name, who, items, pages) => {
      const deps = makeTestDeps(handle);
      const { accessToken } = await callerFor(deps).auth.login({
        email: emails[who],
        password: TEST_PASSWORD,
      });
      const server = callerFor(deps, { accessToken });
      const before = await selectRows(
        handle.db,
        sql`select count(*)::int as n from audit_events where action = 'medical_record.list'`,
      );
      let cursor: string | null | undefined;
      let walked = 0;
      let seen = 0;
      do {
        const path = `${route.path}?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
        const fromBare = await call(route, path, `Bearer ${accessToken}`);
        const expected = await server.medicalRecords.doctorMine({ limit: 5, cursor: cursor ?? undefined });
        expect(wire(fromBare.body)).toEqual({ success: true, data: wire(expected), message: null });
        cursor = expected.nextCursor;
        seen += expected.items.length;
        walked += 1;
      } while (cursor && walked < 10);
      expect({ seen, walked, cursor }).toEqual({ seen: items, walked: pages, cursor: null });
      // Each of the twin's pages was audited as the server audits one: the same ids, page for page.
      const audited = await selectRows(
        handle.db,
        sql`select resource_ids::text as ids, count(*)::int as n from (
            select resource_ids from audit_events where action = 'medical_record.list'
            order by occurred_at, id offset ${Number(before[0]?.n)}) latest
          group by resource_ids`,
      );
      expect(audited).toHaveLength(pages);
      for (const page of audited) expect(page.n).toBe(2);
    },
  );

  test("no token, another role, or a foreign cursor: refused as the server refuses", async () => {
    expect((await call(route, route.path)).status).toBe(401);
    const deps = makeTestDeps(handle);
    const patient = await makePatient(handle.db);
    const session = await callerFor(deps).auth.login({ email: patient.user.email, password: TEST_PASSWORD });
    expect((await call(route, route.path, `Bearer ${session.accessToken}`)).status).toBe(403);
    const doctor = await callerFor(deps).auth.login({ email: emails.small, password: TEST_PASSWORD });
    const foreign = Buffer.from(
      JSON.stringify({ s: "updatedAt", o: "desc", v: new Date().toISOString(), id: "x" }),
    ).toString("base64url");
    expect(
      (await call(route, `${route.path}?cursor=${foreign}`, `Bearer ${doctor.accessToken}`)).status,
    ).toBe(400);
  });
});
