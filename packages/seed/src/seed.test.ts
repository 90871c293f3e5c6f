import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createArgon2Hasher, createFieldCipher, normalizeEmail, sealRecordText } from "@medical/api";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "@medical/api/testing";
import { type DbHandle, selectRows } from "@medical/db";
import type { ProcessDatabase } from "@medical/db/testing";
import { openFileDatabase, processDatabase } from "@medical/db/testing/vitest";
import { type SQL, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { DEMO_ADMIN } from "./admin.ts";
import {
  appointmentCount,
  busyAppointments,
  LOAD_DOMAIN,
  loadBulk,
  type RecordSealer,
} from "./bulk/index.ts";
import { CLAIM_REJECTIONS, COMPLEMENTARY_COVERAGE, COMPLEMENTARY_INSURERS } from "./data/billing.ts";
import { CITIES } from "./data/cities.ts";
import { CLINICAL_RECORDS, HISTORY_NOTE_ADDENDUM, RESULTS_ADDENDUM } from "./data/records.ts";
import { SPECIALTIES } from "./data/specialties.ts";
import {
  buildDemoData,
  DEMO_DOCTORS,
  DEMO_DOMAIN,
  DEMO_PASSWORD,
  DEMO_PATIENTS,
  MINOR_BORN_FROM,
} from "./demo/build.ts";
import { describeDemo } from "./demo/load.ts";
import { runSeed, type SeedOptions } from "./seed.ts";
import { type CommandRun, runCommand } from "./testing/command.ts";

// Cheap argon2id: verification reads the cost from the hash, so the code path is the real one.
const hasher = createArgon2Hasher({ memoryKib: 1024, iterations: 1 });
const options: SeedOptions = {
  hasher,
  fieldCipher: createFieldCipher([TEST_ENCRYPTION_KEY]),
  adminNames: { firstName: "Admin", lastName: "Clinic" },
};
/** A record's or version's stored text, decrypted with the key the seed wrote it with. */
function recordText(table: "medical_records" | "medical_record_versions", id: unknown, stored: unknown) {
  const plain = options.fieldCipher.decrypt(String(stored), { table, column: "content", rowId: String(id) });
  return z
    .object({
      v: z.literal(1),
      diagnoses: z.array(z.object({ code: z.string().nullable(), description: z.string() })),
      treatmentPlan: z.string().nullable(),
      prescriptions: z.array(z.object({ medication: z.string() })),
      clinicalNotes: z.string().nullable(),
      note: z.string().nullable(),
    })
    .parse(JSON.parse(plain));
}
/** A billing text as the server reads it: decrypted with the seed's key, bound to its row. */
function billingText(table: string, column: string, id: unknown, stored: unknown): string {
  return options.fieldCipher.decrypt(String(stored), { table, column, rowId: String(id) });
}
/** The API's ICD-10 shape (records.schema.ts). */
const ICD10 = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;
const sealRecord: RecordSealer = (table, rowId, content) =>
  sealRecordText(options.fieldCipher, table, rowId, content);
const E164_DZ_MOBILE = /^\+213[567]\d{8}$/;
const E164_DZ_LANDLINE = /^\+213[234]\d{7}$/;
const DEMO_REVIEWS = buildDemoData().reviews.length;
/** A visit behind each review, and the README's patient's with the README's doctor unless reviewed. */
const DEMO_VISITS = (() => {
  const { reviews, signIn } = buildDemoData();
  const pairs = new Set(reviews.map((review) => `${review.doctorEmail}/${review.patientEmail}`));
  return pairs.add(`${signIn.DOCTOR}/${signIn.PATIENT}`).size;
})();
/** Patients who write a history note in their own file (demo/records.ts). */
const DEMO_NOTES = 5;
/** Four doctors' upcoming, cancelled and missed appointments (demo/load.ts demoSchedule). */
const DEMO_APPOINTMENTS = 13;
/** Each block seeds two or three times; a review at a time through the service takes its while. */
const SEEDING_TIMEOUT_MS = 180_000;

/** Each block seeds a database of its own in beforeAll, so its tests hold in any order. */
let database: DbHandle;
function ownDatabase() {
  beforeAll(async () => {
    database = await openFileDatabase();
  });
  afterAll(async () => {
    await database.close();
  });
}

const rows = (query: SQL) => selectRows(database.db, query);
async function one(query: SQL): Promise<Record<string, unknown>> {
  const [row] = await rows(query);
  if (!row) throw new Error("no row");
  return row;
}

/** Row counts of every table the seed writes. */
const counts = () =>
  one(sql`select
    (select count(*)::int from users) as users,
    (select count(*)::int from doctors) as doctors,
    (select count(*)::int from patients) as patients,
    (select count(*)::int from specialties) as specialties,
    (select count(*)::int from doctor_specialties) as links,
    (select count(*)::int from reviews) as reviews,
    (select count(*)::int from availability_rules) as rules,
    (select count(*)::int from availability_exceptions) as exceptions,
    (select count(*)::int from appointments) as appointments,
    (select count(*)::int from medical_records) as records,
    (select count(*)::int from medical_record_versions) as versions,
    (select count(*)::int from billing_entries) as entries,
    (select count(*)::int from insurance_policies) as policies,
    (select count(*)::int from insurance_claims) as claims,
    (select count(*)::int from audit_events) as audit`);

/**
 * Everything the demo rows hold, hashed: names, contacts, fees, keys, password hashes, timestamps,
 * and every record's and version's structure (their text is encrypted under a fresh IV each time,
 * so it is read back in its own test instead).
 */
const demoChecksum = async () =>
  (
    await one(sql`select md5(string_agg(line, E'\n' order by line)) as sum from (
      select concat_ws('|', u.email, u.first_name, u.last_name, u.phone, u.locale, u.role, u.password_hash,
        u.updated_at, d.city, d.clinic_name, d.clinic_address, d.clinic_phone, d.fee_amount_minor, d.languages::text,
        d.years_of_experience, d.search_key, d.name_key, d.updated_at, d.rating_average, d.rating_count,
        (select string_agg(s.name, ',' order by s.name) from doctor_specialties ds
          join specialties s on s.id = ds.specialty_id where ds.doctor_id = d.id),
        p.date_of_birth, p.sex, p.city, p.address_line, p.emergency_contact_name, p.emergency_contact_phone,
        p.updated_at) as line
      from users u left join doctors d on d.user_id = u.id left join patients p on p.user_id = u.id
      where u.email like ${`%@${DEMO_DOMAIN}`}
      union all
      select concat_ws('|', name, description, created_at) from specialties
      union all
      select concat_ws('|', doctor_id, patient_id, rating, comment, created_at, updated_at) from reviews
      union all
      select concat_ws('|', doctor_id, weekday, start_minute, end_minute, slot_minutes, is_active, updated_at)
        from availability_rules
      union all
      select concat_ws('|', doctor_id, kind, start_date, end_date, start_minute, end_minute, slot_minutes)
        from availability_exceptions
      union all
      select concat_ws('|', doctor_id, patient_id, starts_at, ends_at, timezone, status, created_at, updated_at)
        from appointments
      union all
      select concat_ws('|', patient_id, kind, doctor_id, appointment_id, version, follow_up_date, created_at,
          updated_at, deleted_at)
        from medical_records
      union all
      select concat_ws('|', r.patient_id, v.version, v.follow_up_date, v.appointment_id, v.edited_by,
          v.edited_by_role, v.edited_at)
        from medical_record_versions v join medical_records r on r.id = v.record_id
      union all
      select concat_ws('|', patient_id, appointment_id, amount_minor, currency, status, issue_date, due_date,
          paid_date, created_by, created_at, updated_at)
        from billing_entries
      union all
      select concat_ws('|', patient_id, provider, coverage_percent, valid_from, valid_to, is_active, created_by,
          created_at, updated_at)
        from insurance_policies
      union all
      select concat_ws('|', c.patient_id, p.provider, e.appointment_id, c.amount_minor, c.status, c.submitted_by,
          c.created_at, c.decided_at, c.paid_at, c.updated_at)
        from insurance_claims c join insurance_policies p on p.id = c.policy_id
        join billing_entries e on e.id = c.billing_entry_id) lines`)
  ).sum;

/**
 * The first run is `pnpm seed` itself, as its own process (nothing inherited from this shell) on a
 * copy of the run's migrated template; the second runs here, on what the first wrote.
 */
describe(`pnpm seed's demo set (${process.env.TEST_DB ?? "pglite"})`, () => {
  let dataDir: string;
  let target: ProcessDatabase | undefined;
  let first: CommandRun;
  let second: Awaited<ReturnType<typeof runSeed>>;
  let countsAfterFirst: Record<string, unknown>;
  let checksumAfterFirst: unknown;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "medical-seed-cli-"));
    // The development keys the command reads from DATA_DIR: this file's, so its tests decrypt.
    const key = `${TEST_ENCRYPTION_KEY.id}:${TEST_ENCRYPTION_KEY.key.toString("base64")}`;
    await writeFile(
      join(dataDir, "dev-secrets.json"),
      JSON.stringify({ jwtSecret: TEST_JWT_SECRET, encryptionKeys: key }),
    );
    target = await processDatabase(dataDir);
    first = await runCommand("cli.ts", {
      NODE_ENV: "development",
      ...target.env,
      ARGON2_MEMORY_KIB: "1024",
      ARGON2_ITERATIONS: "1",
    });
    // The process has exited, so a PGlite folder is free to open here.
    database = await target.open();
    countsAfterFirst = await counts();
    checksumAfterFirst = await demoChecksum();
    second = await runSeed(database.db, options);
  }, SEEDING_TIMEOUT_MS);
  afterAll(async () => {
    await database?.close();
    await target?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("pnpm seed ends with one sign-in per role: role, e-mail and password on one line", () => {
    expect(first.stderr).not.toMatch(/failed/);
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split("\n");
    expect(lines.at(-5)).toBe("Sign in (development only) as:");
    expect(lines.slice(-4).map((line) => line.trim().split(/\s+/))).toEqual([
      ["ADMIN", "admin@demo.clinic.dz", "Algeria123!"],
      ["DOCTOR", "amina.benali@demo.clinic.dz", "Algeria123!"],
      ["PATIENT", "amina.hamidi@demo.clinic.dz", "Algeria123!"],
      ["STAFF", "karima.belkacem@demo.clinic.dz", "Algeria123!"],
    ]);
    // The same accounts as the report of a run in this process.
    expect(second.signIns.map(({ role, email, password }) => [role, email, password])).toEqual(
      lines.slice(-4).map((line) => line.trim().split(/\s+/)),
    );
  });

  test("a second run changes nothing: same row counts, same checksum of the demo rows", async () => {
    // The claims submitted by now depend on the run's date (acts to come are left out), the
    // policies on the visits the run could book: the second run's totals, which it left as it found.
    const policies = second.demo.insurancePolicies.total;
    const claims = second.demo.insuranceClaims.total;
    expect(policies).toBeGreaterThan(DEMO_PATIENTS / 2);
    expect(claims).toBeGreaterThan(DEMO_VISITS / 2);
    expect(first.stdout).toContain(`Admin: created the DEMO account ${DEMO_ADMIN.email}`);
    expect(first.stdout).toContain(
      describeDemo({
        specialties: { total: 10, created: 10 },
        doctors: { total: DEMO_DOCTORS, created: DEMO_DOCTORS },
        patients: { total: DEMO_PATIENTS, created: DEMO_PATIENTS },
        staff: { total: 1, created: 1 },
        reviews: { total: DEMO_REVIEWS, created: DEMO_REVIEWS },
        availability: { total: DEMO_DOCTORS, created: DEMO_DOCTORS },
        visits: { total: DEMO_VISITS, created: DEMO_VISITS },
        appointments: { total: DEMO_APPOINTMENTS, created: DEMO_APPOINTMENTS },
        records: { total: DEMO_VISITS, created: DEMO_VISITS },
        historyNotes: { total: DEMO_NOTES, created: DEMO_NOTES },
        recordEdits: { total: 2, created: 2 },
        billingEntries: { total: DEMO_VISITS, created: DEMO_VISITS },
        insurancePolicies: { total: policies, created: policies },
        insuranceClaims: { total: claims, created: claims },
      }),
    );
    expect(second.admin.created).toBe(false);
    expect(second.demo).toEqual({
      specialties: { total: 10, created: 0 },
      doctors: { total: DEMO_DOCTORS, created: 0 },
      patients: { total: DEMO_PATIENTS, created: 0 },
      staff: { total: 1, created: 0 },
      reviews: { total: DEMO_REVIEWS, created: 0 },
      availability: { total: DEMO_DOCTORS, created: 0 },
      visits: { total: DEMO_VISITS, created: 0 },
      appointments: { total: DEMO_APPOINTMENTS, created: 0 },
      records: { total: DEMO_VISITS, created: 0 },
      historyNotes: { total: DEMO_NOTES, created: 0 },
      recordEdits: { total: 2, created: 0 },
      billingEntries: { total: DEMO_VISITS, created: 0 },
      insurancePolicies: { total: policies, created: 0 },
      insuranceClaims: { total: claims, created: 0 },
    });
    expect(await counts()).toEqual(countsAfterFirst);
    expect(await demoChecksum()).toBe(checksumAfterFirst);
    expect(countsAfterFirst).toMatchObject({
      doctors: DEMO_DOCTORS,
      patients: DEMO_PATIENTS,
      specialties: 10,
      reviews: DEMO_REVIEWS,
      appointments: DEMO_VISITS + DEMO_APPOINTMENTS,
      records: DEMO_VISITS + DEMO_NOTES,
      versions: DEMO_VISITS + DEMO_NOTES + 2,
      entries: DEMO_VISITS,
      policies,
      claims,
    });
  });

  test("prints one sign-in per role, each signing in to an active account of that role", async () => {
    expect(second.signIns.map((signIn) => signIn.role)).toEqual(["ADMIN", "DOCTOR", "PATIENT", "STAFF"]);
    for (const { role, email, password } of second.signIns) {
      const account = await one(sql`select u.role, u.is_active, u.password_hash,
          exists (select 1 from doctors d where d.user_id = u.id) as doctor,
          exists (select 1 from patients p where p.user_id = u.id) as patient
        from users u where u.email = ${email}`);
      expect(account).toMatchObject({
        role,
        is_active: true,
        doctor: role === "DOCTOR",
        patient: role === "PATIENT",
      });
      expect(await hasher.verify(String(account.password_hash), password ?? "")).toBe(true);
    }
  });

  test("rates the doctors from patients' reviews: the service's aggregate, spread 2–5, a few doctors new", async () => {
    const doctors = await rows(sql`
      select d.rating_average::float8 as average, d.rating_count as count,
        (select count(*)::int from reviews r where r.doctor_id = d.id) as reviews,
        (select coalesce(round(avg(r.rating)::numeric, 2), 0)::float8 from reviews r where r.doctor_id = d.id) as mean
      from doctors d join users u on u.id = d.user_id where u.email like ${`%@${DEMO_DOMAIN}`}`);
    for (const doctor of doctors) {
      expect(doctor.count).toBe(doctor.reviews);
      expect(doctor.average).toBe(doctor.mean);
    }
    const averages = doctors.map((d) => Number(d.average));
    // Enough on each side of minRating=4 for a search to have a choice and sort=rating an order.
    expect(averages.filter((a) => a >= 4).length).toBeGreaterThanOrEqual(8);
    expect(averages.filter((a) => a > 0 && a < 3.5).length).toBeGreaterThanOrEqual(8);
    expect(averages.filter((a) => a === 0).length).toBeGreaterThanOrEqual(2);
    expect(new Set(averages).size).toBeGreaterThanOrEqual(15);

    const reviews = await rows(sql`
      select r.rating, r.comment, p.date_of_birth::text as born, r.created_at < now() as past,
        (select count(*)::int from audit_events a where a.action = 'review.saved' and a.target_id = r.id
          and a.actor_id is null and a.patient_id = r.patient_id) as audited
      from reviews r join patients p on p.id = r.patient_id`);
    expect([...new Set(reviews.map((r) => r.rating))].sort()).toEqual([2, 3, 4, 5]);
    for (const review of reviews) expect(review).toMatchObject({ past: true, audited: 1 });
    expect(reviews.filter((r) => String(r.born) >= MINOR_BORN_FROM)).toEqual([]);
    const comments = reviews.map((r) => r.comment).filter((c) => typeof c === "string");
    expect(comments.length).toBeGreaterThan(reviews.length * 0.7);
    expect(comments.length).toBeLessThan(reviews.length);
  });

  test("held a completed visit before every review, in the doctor's weekly hours; the README's doctor treats its patient", async () => {
    const reviews = await rows(sql`
      select r.id, (select max(a.ends_at) from appointments a where a.doctor_id = r.doctor_id
          and a.patient_id = r.patient_id and a.status = 'COMPLETED') < r.created_at as visited_before
      from reviews r`);
    expect(reviews.length).toBe(DEMO_REVIEWS);
    for (const review of reviews) expect(review).toMatchObject({ visited_before: true });
    const outsideHours = await rows(sql`
      select a.id from appointments a
      where not exists (select 1 from availability_rules r where r.doctor_id = a.doctor_id and r.is_active
        and r.weekday = extract(isodow from a.starts_at at time zone a.timezone)
        and r.start_minute <= extract(hour from a.starts_at at time zone a.timezone) * 60
          + extract(minute from a.starts_at at time zone a.timezone)
        and extract(hour from a.ends_at at time zone a.timezone) * 60
          + extract(minute from a.ends_at at time zone a.timezone) <= r.end_minute)
        or (a.status in ('COMPLETED', 'NO_SHOW')) = (a.ends_at > now()) or a.created_at >= a.starts_at`);
    expect(outsideHours).toEqual([]);
    const { signIn } = buildDemoData();
    const readmePair = await one(sql`select count(*)::int as n from appointments a
      join doctors d on d.id = a.doctor_id join users du on du.id = d.user_id
      join patients p on p.id = a.patient_id join users pu on pu.id = p.user_id
      where du.email = ${signIn.DOCTOR} and pu.email = ${signIn.PATIENT} and a.status = 'COMPLETED'`);
    expect(readmePair.n).toBe(1);
  });

  test("booked every appointment through the services; the README's patient and doctor have upcoming ones, not together", async () => {
    const unbooked =
      await rows(sql`select a.id from appointments a where not exists (select 1 from audit_events e
      where e.action = 'appointment.booked' and e.outcome = 'SUCCESS' and e.target_id = a.id)`);
    expect(unbooked).toEqual([]);
    const moved = await one(sql`select count(*)::int as n from appointments a where a.status <> 'SCHEDULED'
      and not exists (select 1 from audit_events e where e.target_id = a.id and e.outcome = 'SUCCESS'
        and e.action in ('appointment.status_changed', 'appointment.cancelled'))`);
    expect(moved.n).toBe(0);
    const { signIn } = buildDemoData();
    const upcoming = (where: SQL) =>
      one(sql`select count(*)::int as n from appointments a
        join doctors d on d.id = a.doctor_id join users du on du.id = d.user_id
        join patients p on p.id = a.patient_id join users pu on pu.id = p.user_id
        where a.status = 'SCHEDULED' and a.starts_at > now() and ${where}`);
    expect((await upcoming(sql`pu.email = ${signIn.PATIENT}`)).n).toBe(2);
    expect((await upcoming(sql`du.email = ${signIn.DOCTOR}`)).n).toBe(2);
    expect((await upcoming(sql`du.email = ${signIn.DOCTOR} and pu.email = ${signIn.PATIENT}`)).n).toBe(0);
    const statuses = await rows(
      sql`select status, count(*)::int as n from appointments group by status order by status`,
    );
    expect(statuses).toEqual([
      { status: "CANCELLED", n: 4 },
      { status: "COMPLETED", n: DEMO_VISITS },
      { status: "NO_SHOW", n: 4 },
      { status: "SCHEDULED", n: 5 },
    ]);
  });

  test("every appointment has a reason and every cancellation a reason, encrypted for the server to read", async () => {
    const texts = await rows(
      sql`select id, status, reason, cancellation_reason from appointments order by id`,
    );
    const context = (id: unknown, column: string) => ({ table: "appointments", column, rowId: String(id) });
    for (const row of texts) {
      // The cipher's format (version.key id.…), never the text.
      expect(row.reason).toMatch(/^v1\.test1\./);
      expect(options.fieldCipher.decrypt(String(row.reason), context(row.id, "reason"))).toMatch(/\w{4}/);
      if (row.status === "CANCELLED")
        expect(
          options.fieldCipher.decrypt(
            String(row.cancellation_reason),
            context(row.id, "cancellation_reason"),
          ),
        ).toMatch(/\w{4}/);
      else expect(row.cancellation_reason).toBeNull();
    }
    expect(texts.length).toBeGreaterThan(0);
  });

  test("wrote a record of every completed visit through the records service, by its doctor at its end, readable with the server's key", async () => {
    const records = await rows(sql`
      select r.id, r.kind, r.content, r.follow_up_date::text as follow_up, a.status,
        r.created_at = a.ends_at as at_visit_end, r.doctor_id = a.doctor_id and r.patient_id = a.patient_id as same_pair,
        (a.ends_at at time zone a.timezone)::date::text as visit_day, p.sex, p.date_of_birth::text as born,
        (select count(*)::int from audit_events e where e.action = 'medical_record.created'
          and e.outcome = 'SUCCESS' and e.target_id = r.id and e.patient_id = r.patient_id
          and e.actor_id is null) as audited
      from medical_records r join appointments a on a.id = r.appointment_id
      join doctors d on d.id = r.doctor_id join patients p on p.id = r.patient_id`);
    expect(records).toHaveLength(DEMO_VISITS);
    const unrecorded = await rows(sql`select a.id from appointments a where a.status = 'COMPLETED'
      and not exists (select 1 from medical_records r where r.appointment_id = a.id)`);
    expect(unrecorded).toEqual([]);
    const onlyFor = (who: "women" | "children") =>
      new Set(
        Object.values(CLINICAL_RECORDS)
          .flat()
          .filter((template) => template.onlyFor === who)
          .flatMap((template) => template.diagnoses.map((d) => d.code)),
      );
    const [women, children] = [onlyFor("women"), onlyFor("children")];
    const firstCodes = new Set<string>();
    let prescribed = 0;
    for (const record of records) {
      expect(record).toMatchObject({
        kind: "CLINICAL",
        status: "COMPLETED",
        at_visit_end: true,
        same_pair: true,
        audited: 1,
      });
      const text = recordText("medical_records", record.id, record.content);
      expect(text.diagnoses.length).toBeGreaterThan(0);
      for (const { code } of text.diagnoses) {
        expect(code).toMatch(ICD10);
        if (women.has(code)) expect(record.sex).toBe("FEMALE");
        if (children.has(code)) expect(String(record.born) >= MINOR_BORN_FROM).toBe(true);
      }
      firstCodes.add(String(text.diagnoses[0]?.code));
      if (text.prescriptions.length) prescribed += 1;
      expect(text).toMatchObject({
        note: null,
        treatmentPlan: expect.any(String),
        clinicalNotes: expect.any(String),
      });
      if (record.follow_up !== null) expect(String(record.follow_up) > String(record.visit_day)).toBe(true);
    }
    // Several specialties' records, most with a prescription, some without a follow-up.
    expect(firstCodes.size).toBeGreaterThanOrEqual(10);
    expect(prescribed).toBeGreaterThan(records.length * 0.6);
    expect(records.filter((r) => r.follow_up === null).length).toBeGreaterThan(0);
  });

  test("patients wrote history notes in their own files, and a record and a note were edited by their authors: two versions each", async () => {
    const notes = await rows(sql`
      select r.id, r.doctor_id, r.appointment_id, r.created_at < now() as past,
        (select count(*)::int from audit_events e where e.action = 'medical_record.created'
          and e.target_id = r.id and e.patient_id = p.id and e.actor_id is null) as audited
      from medical_records r join patients p on p.id = r.patient_id where r.kind = 'PATIENT_REPORTED'`);
    expect(notes).toHaveLength(DEMO_NOTES);
    for (const note of notes)
      expect(note).toMatchObject({ doctor_id: null, appointment_id: null, past: true, audited: 1 });
    const versions = await rows(sql`
      select r.id as record_id, r.kind, r.version as current, v.id, v.version, v.content, v.edited_at,
        v.edited_by = coalesce(d.user_id, p.user_id) as by_author, u.email
      from medical_records r join medical_record_versions v on v.record_id = r.id
      join patients p on p.id = r.patient_id join users u on u.id = p.user_id
      left join doctors d on d.id = r.doctor_id
      where r.version > 1 order by r.kind, v.version`);
    const { signIn } = buildDemoData();
    expect(versions.map((v) => [v.kind, v.current, v.version, v.by_author, v.email])).toEqual([
      ["CLINICAL", 2, 1, true, signIn.PATIENT],
      ["CLINICAL", 2, 2, true, signIn.PATIENT],
      ["PATIENT_REPORTED", 2, 1, true, signIn.PATIENT],
      ["PATIENT_REPORTED", 2, 2, true, signIn.PATIENT],
    ]);
    const [visit1, visit2, note1, note2] = versions.map((v) =>
      recordText("medical_record_versions", v.id, v.content),
    );
    expect(visit1?.clinicalNotes).not.toContain(RESULTS_ADDENDUM);
    expect(visit2?.clinicalNotes).toMatch(new RegExp(`${RESULTS_ADDENDUM}$`));
    expect(note2?.note).toBe(`${note1?.note}${HISTORY_NOTE_ADDENDUM}`);
    expect(new Date(String(versions[1]?.edited_at)) > new Date(String(versions[0]?.edited_at))).toBe(true);
    const audited = await one(sql`select count(*)::int as n from audit_events
      where action = 'medical_record.updated' and outcome = 'SUCCESS'`);
    expect(audited.n).toBe(2);
  });

  test("billed every completed visit once, through the billing service as the front desk at the visit's end", async () => {
    const { signIn } = buildDemoData();
    const entries = await rows(sql`
      select e.id, e.status, e.amount_minor, e.currency, e.description, d.fee_amount_minor as fee, a.status as visit,
        e.patient_id = a.patient_id as same_patient, e.created_at = a.ends_at as at_visit_end,
        e.issue_date = (a.ends_at at time zone a.timezone)::date as issued_that_day,
        e.due_date = e.issue_date + 15 as due_in_a_fortnight,
        e.paid_date is null or (e.paid_date >= e.issue_date and e.updated_at <= now()) as paid_after,
        u.email as issuer,
        (select count(*)::int from audit_events x where x.action = 'billing_entry.created' and x.outcome = 'SUCCESS'
          and x.target_id = e.id and x.patient_id = e.patient_id and x.actor_id is null) as audited
      from billing_entries e join appointments a on a.id = e.appointment_id
      join doctors d on d.id = a.doctor_id join users u on u.id = e.created_by`);
    expect(entries).toHaveLength(DEMO_VISITS);
    const unbilled = await rows(sql`select a.id from appointments a where a.status = 'COMPLETED'
      and (select count(*) from billing_entries e where e.appointment_id = a.id) <> 1`);
    expect(unbilled).toEqual([]);
    const statuses = new Map<unknown, number>();
    for (const entry of entries) {
      expect(entry).toMatchObject({
        visit: "COMPLETED",
        same_patient: true,
        at_visit_end: true,
        issued_that_day: true,
        due_in_a_fortnight: true,
        paid_after: true,
        currency: "DZD",
        issuer: signIn.STAFF,
        audited: 1,
      });
      // The consultation at the doctor's fee, and an act of the specialty now and then.
      expect(Number(entry.amount_minor)).toBeGreaterThanOrEqual(Number(entry.fee));
      expect(Number(entry.amount_minor)).toBeLessThanOrEqual(Number(entry.fee) + 800_000);
      const description = billingText("billing_entries", "description", entry.id, entry.description);
      expect(description).toMatch(/^Consultation /);
      if (entry.status === "VOID") expect(description).toMatch(/ — Annulée : /);
      statuses.set(entry.status, (statuses.get(entry.status) ?? 0) + 1);
    }
    expect(entries.filter((e) => Number(e.amount_minor) > Number(e.fee)).length).toBeGreaterThan(
      DEMO_VISITS / 5,
    );
    // Most paid, some unpaid (recent or overdue), a very few void.
    expect(Number(statuses.get("PAID"))).toBeGreaterThan(DEMO_VISITS * 0.7);
    expect(Number(statuses.get("UNPAID"))).toBeGreaterThanOrEqual(1);
    expect(Number(statuses.get("VOID"))).toBeGreaterThanOrEqual(1);
    expect(Number(statuses.get("VOID"))).toBeLessThanOrEqual(DEMO_VISITS * 0.05);
  });

  test("insured most patients seen, not all: a fund each (CNAS or CASNOS), some a complementary, one lapsed and one dropped", async () => {
    const { signIn } = buildDemoData();
    const policies = await rows(sql`
      select p.id, p.provider, p.policy_number, p.coverage_percent, p.valid_to::text as valid_to, p.is_active,
        pu.email, su.email as registrar,
        (select count(*)::int from audit_events x where x.action = 'insurance_policy.created' and x.outcome = 'SUCCESS'
          and x.target_id = p.id and x.patient_id = p.patient_id and x.actor_id is null) as audited,
        (select count(*)::int from audit_events x where x.action = 'insurance_policy.deactivated'
          and x.target_id = p.id and x.actor_id is null) as deactivations
      from insurance_policies p join patients pa on pa.id = p.patient_id join users pu on pu.id = pa.user_id
      join users su on su.id = p.created_by`);
    const insured = new Set(policies.map((policy) => policy.email));
    expect(insured.size).toBeGreaterThan(DEMO_PATIENTS / 2);
    expect(insured.size).toBeLessThan(DEMO_PATIENTS);
    const funds = policies.filter((policy) => ["CNAS", "CASNOS"].includes(String(policy.provider)));
    expect(new Set(funds.map((fund) => fund.email)).size).toBe(insured.size);
    expect(funds).toHaveLength(insured.size);
    expect(new Set(funds.map((fund) => fund.provider))).toEqual(new Set(["CNAS", "CASNOS"]));
    const complementaries = COMPLEMENTARY_INSURERS.map((insurer) => insurer.provider);
    for (const policy of policies) {
      expect(policy).toMatchObject({
        registrar: signIn.STAFF,
        audited: 1,
        deactivations: policy.is_active ? 0 : 1,
      });
      const number = billingText("insurance_policies", "policy_number", policy.id, policy.policy_number);
      if (policy.provider === "CNAS") expect(number).toMatch(/^\d{2}-\d{4}-\d{4}-\d{2}$/);
      else if (policy.provider === "CASNOS") expect(number).toMatch(/^\d{2}\/\d{6}\/\d{2}$/);
      else {
        expect(complementaries).toContain(policy.provider);
        expect(COMPLEMENTARY_COVERAGE).toContain(policy.coverage_percent);
        expect(number).toMatch(/\d{5}$/);
      }
      if (funds.includes(policy)) expect([80, 100]).toContain(policy.coverage_percent);
    }
    expect(funds.filter((fund) => fund.coverage_percent === 100).length).toBeGreaterThanOrEqual(1);
    // What answers POLICY_NOT_VALID to a new claim: a policy that lapsed, one the patient dropped.
    expect(policies.filter((policy) => policy.valid_to !== null).length).toBeGreaterThanOrEqual(1);
    expect(policies.filter((policy) => !policy.is_active).length).toBeGreaterThanOrEqual(1);
  });

  test("claimed a share of the bills within their cover through every status, never a void bill's", async () => {
    const { signIn } = buildDemoData();
    const claims = await rows(sql`
      select c.id, c.status, c.amount_minor, c.reason, e.status as entry_status, u.email as submitter,
        (a.starts_at at time zone a.timezone)::date between p.valid_from and coalesce(p.valid_to, 'infinity')
          as valid_on_service,
        c.patient_id = e.patient_id and p.patient_id = e.patient_id as same_patient,
        floor(e.amount_minor * p.coverage_percent / 100.0)::int as cover,
        (select coalesce(sum(o.amount_minor), 0)::int from insurance_claims o where o.billing_entry_id = c.billing_entry_id
          and o.status <> 'REJECTED' and (o.created_at, o.id) <= (c.created_at, c.id)) as live_so_far,
        c.created_at > a.ends_at and (c.decided_at is null or c.decided_at > c.created_at)
          and (c.paid_at is null or c.paid_at > c.decided_at) and c.updated_at <= now() as in_order,
        (select count(*)::int from audit_events x where x.action = 'insurance_claim.created' and x.outcome = 'SUCCESS'
          and x.target_id = c.id and x.patient_id = c.patient_id and x.actor_id is null) as audited,
        (select count(*)::int from audit_events x where x.action = 'insurance_claim.status_changed'
          and x.outcome = 'SUCCESS' and x.target_id = c.id and x.actor_id is null) as moves
      from insurance_claims c join billing_entries e on e.id = c.billing_entry_id
      join appointments a on a.id = e.appointment_id join insurance_policies p on p.id = c.policy_id
      join users u on u.id = c.submitted_by`);
    const moves = { SUBMITTED: 0, APPROVED: 1, REJECTED: 1, PAID: 2 };
    for (const claim of claims) {
      expect(claim).toMatchObject({
        valid_on_service: true,
        same_patient: true,
        in_order: true,
        submitter: signIn.STAFF,
        audited: 1,
        moves: moves[z.enum(["SUBMITTED", "APPROVED", "REJECTED", "PAID"]).parse(claim.status)],
      });
      expect(claim.entry_status).not.toBe("VOID");
      // Within the policy's share of the bill, less the bill's other live claims made before.
      expect(Number(claim.amount_minor)).toBeLessThanOrEqual(Number(claim.cover));
      if (claim.status !== "REJECTED")
        expect(Number(claim.live_so_far)).toBeLessThanOrEqual(Number(claim.cover));
      if (claim.status === "REJECTED")
        expect(CLAIM_REJECTIONS).toContain(billingText("insurance_claims", "reason", claim.id, claim.reason));
      else expect(claim.reason).toBeNull();
    }
    expect(new Set(claims.map((claim) => claim.status))).toEqual(
      new Set(["SUBMITTED", "APPROVED", "REJECTED", "PAID"]),
    );
    const claimed = await one(sql`select count(distinct billing_entry_id)::int as n from insurance_claims`);
    expect(Number(claimed.n)).toBeGreaterThan(DEMO_VISITS / 3);
    expect(Number(claimed.n)).toBeLessThan(DEMO_VISITS);
  });

  test("the README's patient has bills of their visits, CNAS and a lapsed complementary, and claims on them", async () => {
    const { signIn } = buildDemoData();
    const mine = (from: SQL) => sql`${from} join patients pa on pa.id = x.patient_id
      join users pu on pu.id = pa.user_id where pu.email = ${signIn.PATIENT}`;
    const entries = await rows(sql`select x.status, a.status as visit, a.patient_id = x.patient_id as own
      ${mine(sql`from billing_entries x left join appointments a on a.id = x.appointment_id`)}`);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect(entry).toMatchObject({ visit: "COMPLETED", own: true });
    const lastVisit = await one(sql`select max((x.starts_at at time zone x.timezone)::date)::text as day
      ${mine(sql`from appointments x`)} and x.status = 'COMPLETED'`);
    const policies =
      await rows(sql`select x.provider, x.coverage_percent, x.valid_to::text as valid_to, x.is_active
      ${mine(sql`from insurance_policies x`)} order by x.provider`);
    expect(policies).toEqual([
      // It lapsed the day before the last visit: a claim for that visit's bill is POLICY_NOT_VALID.
      { provider: "CAAR", coverage_percent: 100, valid_to: expect.any(String), is_active: true },
      { provider: "CNAS", coverage_percent: 80, valid_to: null, is_active: true },
    ]);
    expect(String(policies[0]?.valid_to) < String(lastVisit.day)).toBe(true);
    const claims = await rows(sql`select x.status ${mine(sql`from insurance_claims x`)}`);
    expect(claims.length).toBeGreaterThanOrEqual(entries.length - 1);
    expect(new Set(claims.map((claim) => claim.status)).size).toBeGreaterThanOrEqual(2);
  });

  test("wrote billing as every seed write: audit events and domain events name no actor, nothing refused", async () => {
    const audit = await rows(sql`select action, outcome, count(*)::int as n, count(actor_id)::int as actors
      from audit_events where target_type in ('billing_entry', 'insurance_policy', 'insurance_claim')
      group by action, outcome order by action`);
    expect(audit.map((row) => row.action)).toEqual([
      "billing_entry.created",
      "billing_entry.updated",
      "insurance_claim.created",
      "insurance_claim.status_changed",
      "insurance_policy.created",
      "insurance_policy.deactivated",
    ]);
    for (const row of audit) expect(row).toMatchObject({ outcome: "SUCCESS", actors: 0 });
    const events = await rows(sql`select type, count(*)::int as n, count(actor_id)::int as actors
      from domain_events where type in ('bill.issued', 'claim.status_changed') group by type order by type`);
    expect(events).toEqual([
      { type: "bill.issued", n: DEMO_VISITS, actors: 0 },
      { type: "claim.status_changed", n: expect.any(Number), actors: 0 },
    ]);
  });

  test("holds the ten specialties, every city, +213 phones, DZD fees and one password hash", async () => {
    const specialties = await rows(sql`select name from specialties order by name`);
    expect(specialties.map((s) => s.name).sort()).toEqual(SPECIALTIES.map((s) => s.name).sort());

    const doctors = await rows(sql`
      select u.email, u.phone, d.city, d.clinic_phone, d.fee_amount_minor, d.fee_currency, d.languages,
        (select count(*)::int from doctor_specialties ds where ds.doctor_id = d.id) as specialties
      from doctors d join users u on u.id = d.user_id where u.email like ${`%@${DEMO_DOMAIN}`}`);
    const patients = await rows(sql`
      select u.phone, p.city, p.emergency_contact_phone, p.clinical_data
      from patients p join users u on u.id = p.user_id where u.email like ${`%@${DEMO_DOMAIN}`}`);
    const cityNames = CITIES.map((c) => c.name).sort();
    expect([...new Set(doctors.map((d) => d.city))].sort()).toEqual(cityNames);
    expect([...new Set(patients.map((p) => p.city))].sort()).toEqual(cityNames);
    expect(doctors.map((d) => d.email)).toContain(`amina.benali@${DEMO_DOMAIN}`);
    for (const doctor of doctors) {
      expect(doctor.phone).toMatch(E164_DZ_MOBILE);
      expect(doctor.clinic_phone).toMatch(E164_DZ_LANDLINE);
      expect(doctor).toMatchObject({ fee_currency: "DZD" });
      expect(Number(doctor.fee_amount_minor)).toBeGreaterThanOrEqual(150_000);
      expect(Number(doctor.fee_amount_minor)).toBeLessThanOrEqual(500_000);
      expect(Number(doctor.specialties)).toBeGreaterThanOrEqual(1);
      expect(doctor.languages).toEqual(expect.arrayContaining(["ar", "fr"]));
    }
    for (const patient of patients) {
      expect(patient.phone).toMatch(E164_DZ_MOBILE);
      expect(patient.emergency_contact_phone).toMatch(E164_DZ_MOBILE);
      expect(patient.clinical_data).toBeNull();
    }

    const hashes = await rows(
      sql`select distinct password_hash from users where email like ${`%@${DEMO_DOMAIN}`}`,
    );
    expect(hashes).toHaveLength(1);
    expect(await hasher.verify(String(hashes[0]?.password_hash), DEMO_PASSWORD)).toBe(true);
  });

  test("made every demo account through the API's account service: one user.created event each", async () => {
    const events = await rows(sql`
      select u.email, count(a.id)::int as created, min(a.details->>'via') as via, min(a.details->>'role') as role
      from users u left join audit_events a on a.target_id = u.id and a.action = 'user.created'
      where u.email like ${`%@${DEMO_DOMAIN}`} group by u.email, u.role`);
    // The admin and the front desk besides the doctors and patients.
    expect(events).toHaveLength(DEMO_DOCTORS + DEMO_PATIENTS + 2);
    for (const event of events) expect(event).toMatchObject({ created: 1, via: "seed" });
    expect(events.find((event) => event.email === `amina.benali@${DEMO_DOMAIN}`)).toMatchObject({
      role: "DOCTOR",
    });
  });

  test("wrote every demo profile through its domain's service: one profile_created event each", async () => {
    const [counts] = await rows(sql`
      select
        (select count(*)::int from doctors d join users u on u.id = d.user_id
          where u.email like ${`%@${DEMO_DOMAIN}`}
          and exists (select 1 from audit_events a where a.action = 'doctor.profile_created' and a.target_id = d.id)) as doctors,
        (select count(*)::int from patients p join users u on u.id = p.user_id
          where u.email like ${`%@${DEMO_DOMAIN}`}
          and exists (select 1 from audit_events a where a.action = 'patient.profile_created' and a.patient_id = p.id)) as patients`);
    expect(counts).toEqual({ doctors: DEMO_DOCTORS, patients: DEMO_PATIENTS });
  });
  test("gave every demo doctor weekly hours through the availability service, Sunday to Thursday at least", async () => {
    const doctors = await rows(sql`
      select u.email,
        array(select distinct r.weekday from availability_rules r where r.doctor_id = d.id and r.is_active
          order by r.weekday) as weekdays,
        (select count(*)::int from availability_rules r where r.doctor_id = d.id) as rules,
        (select count(*)::int from audit_events a join availability_rules r on r.id = a.target_id
          where r.doctor_id = d.id and a.action = 'availability.rule_created' and a.actor_id is null) as audited
      from doctors d join users u on u.id = d.user_id where u.email like ${`%@${DEMO_DOMAIN}`}`);
    expect(doctors).toHaveLength(DEMO_DOCTORS);
    for (const doctor of doctors) {
      expect(doctor.weekdays).toEqual(expect.arrayContaining([1, 2, 3, 4, 7]));
      expect(doctor.audited).toBe(doctor.rules);
    }
    // A few vary: Saturday mornings for some, a shorter or paused week for others.
    expect(doctors.filter((d) => String(d.weekdays) === "1,2,3,4,6,7").length).toBeGreaterThanOrEqual(3);
    const signIn = await rows(sql`
      select e.kind, e.start_date::text as start, e.end_date::text as end, e.start_minute
      from availability_exceptions e join doctors d on d.id = e.doctor_id join users u on u.id = d.user_id
      where u.email = ${`amina.benali@${DEMO_DOMAIN}`} order by e.start_date`);
    expect(signIn.map((e) => e.kind)).toEqual(["EXTRA_HOURS", "TIME_OFF"]);
    expect(new Date(`${String(signIn[0]?.start)}T00:00:00Z`).getUTCDay()).toBe(5);
    expect(signIn[1]).toMatchObject({ start_minute: null });
  });
});

describe(`pnpm seed --size (${process.env.TEST_DB ?? "pglite"})`, () => {
  ownDatabase();
  const loaded = (role: "doctor" | "patient") => `${role}.%@${LOAD_DOMAIN}`;
  /** What --size 200 reported and left, measured before --size 20 ran on top of it. */
  let firstLoad: {
    report: Awaited<ReturnType<typeof runSeed>>;
    before: Record<string, unknown>;
    after: Record<string, unknown>;
    links: Record<string, unknown>;
    spread: Record<string, unknown>;
  };
  let secondReport: Awaited<ReturnType<typeof runSeed>>;
  beforeAll(async () => {
    // The demo set first, so the counts below measure what --size alone adds.
    await runSeed(database.db, options);
    const before = await counts();
    const report = await runSeed(database.db, { ...options, size: 200 });
    const after = await counts();
    const links = await one(sql`
      select min(n)::int as min, max(n)::int as max, sum(n)::int as total from (
        select count(ds.specialty_id) as n from doctors d join users u on u.id = d.user_id
        left join doctor_specialties ds on ds.doctor_id = d.id
        where u.email like ${loaded("doctor")} group by d.id) per_doctor`);
    const spread = await one(sql`
      select count(distinct d.city)::int as cities, count(distinct d.rating_average)::int as ratings,
        min(d.fee_amount_minor)::int as min_fee, max(d.fee_amount_minor)::int as max_fee,
        count(*) filter (where u.phone !~ '^\\+213[567][0-9]{8}$')::int as bad_phones,
        count(distinct u.password_hash)::int as hashes
      from doctors d join users u on u.id = d.user_id where u.email like ${loaded("doctor")}`);
    firstLoad = { report, before, after, links, spread };
    secondReport = await runSeed(database.db, { ...options, size: 20 });
  }, SEEDING_TIMEOUT_MS);

  test("adds exactly N doctors and N patients, each doctor with one or two specialties", () => {
    const { report, before, after, links, spread } = firstLoad;
    expect(report.bulk).toMatchObject({
      doctors: { first: 1, last: 200 },
      patients: { first: 1, last: 200 },
      appointments: { total: 199 * 10 + 2 * 25, busy: 25 },
    });
    expect(after).toMatchObject({
      users: Number(before.users) + 400,
      doctors: Number(before.doctors) + 200,
      patients: Number(before.patients) + 200,
      specialties: before.specialties,
      appointments: Number(before.appointments) + appointmentCount(200),
    });
    expect(links).toMatchObject({ min: 1, max: 2 });
    expect(after.links).toBe(Number(before.links) + Number(links.total));
    expect(spread).toMatchObject({ cities: 10, bad_phones: 0, hashes: 1 });
    expect(Number(spread.ratings)).toBeGreaterThan(50);
    expect(Number(spread.min_fee)).toBeGreaterThanOrEqual(150_000);
    expect(Number(spread.max_fee)).toBeLessThanOrEqual(500_000);
  });

  test("adds appointments in proportion: ten per doctor, a busy doctor and a busy patient, past closed and upcoming scheduled", async () => {
    const perAccount = (role: "doctor" | "patient") =>
      rows(sql`select u.email, count(a.id)::int as n,
          count(*) filter (where a.starts_at < now() and a.status = 'SCHEDULED')::int as open_past,
          count(*) filter (where a.starts_at >= now() and a.status not in ('SCHEDULED', 'CANCELLED'))::int as closed_future,
          count(*) filter (where a.status = 'CANCELLED' and (a.cancelled_by_role is null or a.cancelled_at > now()))::int as odd_cancels,
          count(*) filter (where a.ends_at - a.starts_at > interval '30 minutes')::int as long
        from users u join ${sql.raw(role === "doctor" ? "doctors" : "patients")} x on x.user_id = u.id
        join appointments a on a.${sql.raw(`${role}_id`)} = x.id
        where u.email like ${loaded(role)} and u.email <= ${`${role}.000200@${LOAD_DOMAIN}`}
        group by u.email order by u.email`);
    const doctors = await perAccount("doctor");
    expect(doctors[0]).toMatchObject({ email: `doctor.000001@${LOAD_DOMAIN}`, n: busyAppointments(200) });
    // Ten regular ones each, one more for those the busy patient sees.
    expect(new Set(doctors.slice(1).map((d) => d.n))).toEqual(new Set([10, 11]));
    const patients = await perAccount("patient");
    expect(patients[0]).toMatchObject({ email: `patient.000001@${LOAD_DOMAIN}`, n: busyAppointments(200) });
    // Ten regular ones each, one more for those the busy doctor sees.
    expect(new Set(patients.slice(1).map((p) => p.n))).toEqual(new Set([10, 11]));
    for (const account of [...doctors, ...patients])
      expect(account).toMatchObject({ open_past: 0, closed_future: 0, odd_cancels: 0, long: 0 });
    const spread = await one(sql`select count(distinct a.status)::int as statuses,
        count(*) filter (where a.starts_at >= now())::int as upcoming, count(*)::int as total
      from appointments a join doctors d on d.id = a.doctor_id join users u on u.id = d.user_id
      where u.email like ${loaded("doctor")}`);
    expect(spread.statuses).toBe(4);
    expect(Number(spread.upcoming) / Number(spread.total)).toBeGreaterThan(0.2);
  });

  test("adds a clinical record of every completed visit of the busy doctor and one in ten elsewhere, sealed for the server", async () => {
    const visits = await rows(sql`
      select u.email = ${`doctor.000001@${LOAD_DOMAIN}`} as busy, count(*)::int as completed, count(r.id)::int as recorded,
        count(r.id) filter (where r.created_at = a.ends_at and r.kind = 'CLINICAL' and r.version = 1
          and r.doctor_id = a.doctor_id and r.patient_id = a.patient_id)::int as well_formed
      from appointments a join doctors d on d.id = a.doctor_id join users u on u.id = d.user_id
      left join medical_records r on r.appointment_id = a.id
      where a.status = 'COMPLETED' and u.email like ${loaded("doctor")} and u.email <= ${`doctor.000200@${LOAD_DOMAIN}`}
      group by 1 order by 1`);
    const [elsewhere, busy] = visits;
    expect(busy).toMatchObject({ busy: true, recorded: busy?.completed, well_formed: busy?.completed });
    expect(Number(elsewhere?.recorded) / Number(elsewhere?.completed)).toBeGreaterThan(0.04);
    expect(Number(elsewhere?.recorded) / Number(elsewhere?.completed)).toBeLessThan(0.2);
    expect(elsewhere?.well_formed).toBe(elsewhere?.recorded);
    expect(firstLoad.report.bulk?.records).toEqual({
      total: Number(busy?.recorded) + Number(elsewhere?.recorded),
      busy: busy?.recorded,
    });
    // Only completed visits have one; each record has its version 1, by its doctor, with the same text.
    const stray = await one(sql`select count(*)::int as n from medical_records r
      join appointments a on a.id = r.appointment_id where a.status <> 'COMPLETED'`);
    expect(stray.n).toBe(0);
    const sample = await rows(sql`
      select r.id, r.content, v.id as version_id, v.content as version_content,
        v.edited_by = d.user_id and v.edited_at = r.created_at
          and v.follow_up_date is not distinct from r.follow_up_date as same_version
      from medical_records r join medical_record_versions v on v.record_id = r.id
      join doctors d on d.id = r.doctor_id join users u on u.id = d.user_id
      where u.email like ${loaded("doctor")} order by r.id limit 40`);
    expect(sample).toHaveLength(40);
    for (const row of sample) {
      expect(row.same_version).toBe(true);
      const text = recordText("medical_records", row.id, row.content);
      expect(recordText("medical_record_versions", row.version_id, row.version_content)).toEqual(text);
      for (const { code } of text.diagnoses) expect(code).toMatch(ICD10);
    }
  });

  test("writes the search keys the trigger would, leaves the trigger on, and the search finds a doctor by name", async () => {
    const keys = () =>
      one(sql`select md5(string_agg(d.search_key || '/' || d.name_key, ',' order by d.id)) as sum
              from doctors d join users u on u.id = d.user_id where u.email like ${loaded("doctor")}`);
    const written = await keys();
    // Touching clinic_name fires doctors_keys_on_write, which recomputes both keys from the names.
    await database.db.execute(sql`update doctors set clinic_name = clinic_name
      where user_id in (select id from users where email like ${loaded("doctor")})`);
    expect(await keys()).toEqual(written);

    const trigger = await one(sql`select tgenabled from pg_trigger where tgname = 'doctors_keys_on_write'`);
    expect(trigger.tgenabled).toBe("O");

    const doctor = await one(sql`select d.id, u.first_name, u.last_name, d.name_key from doctors d
      join users u on u.id = d.user_id where u.email = ${`doctor.000007@${LOAD_DOMAIN}`}`);
    // The search service's predicate for q, typed in upper case.
    const found = await rows(sql`select d.id from doctors d
      where d.is_active and d.search_key like '%' || f_search_key(${String(doctor.last_name).toUpperCase()}) || '%'`);
    expect(found.map((r) => r.id)).toContain(doctor.id);
    const [nameKey] = await rows(
      sql`select f_search_key(${`${doctor.last_name} ${doctor.first_name}`}) as key`,
    );
    expect(doctor.name_key).toBe(nameKey?.key);
  });

  test("a second --size continues the numbering, and the same number gives the same doctor on every database", async () => {
    expect(secondReport.bulk).toMatchObject({
      doctors: { first: 201, last: 220 },
      patients: { first: 201, last: 220 },
      appointments: { total: 19 * 10 + 2 * 3, busy: 3 },
    });
    // A load's appointments are between its own doctors and patients.
    const crossed = await one(sql`select count(*)::int as n from appointments a
      join doctors d on d.id = a.doctor_id join users du on du.id = d.user_id
      join patients p on p.id = a.patient_id join users pu on pu.id = p.user_id
      where du.email like ${loaded("doctor")} and pu.email like ${loaded("patient")}
        and (du.email > ${`doctor.000200@${LOAD_DOMAIN}`}) <> (pu.email > ${`patient.000200@${LOAD_DOMAIN}`})`);
    expect(crossed.n).toBe(0);
    const emails = await one(sql`select count(*)::int as n, count(distinct lower(email))::int as distinct_n
      from users where email like ${`%@${LOAD_DOMAIN}`}`);
    // Other tests of this block load more rows on top; the numbering never repeats an email.
    expect(Number(emails.n)).toBeGreaterThanOrEqual(440);
    expect(emails.distinct_n).toBe(emails.n);
    // Generated in SQL, stored as the API's rule stores an email.
    const stored = await rows(sql`select email from users where email like ${`%@${LOAD_DOMAIN}`}`);
    expect(stored.filter(({ email }) => normalizeEmail(String(email)) !== email)).toEqual([]);
    // Generated from hashint8extended(g, k), identical on PostgreSQL and PGlite.
    const first = await one(sql`select u.first_name, u.last_name, d.id, d.city, d.fee_amount_minor
      from doctors d join users u on u.id = d.user_id where u.email = ${`doctor.000001@${LOAD_DOMAIN}`}`);
    expect(first).toEqual(FIRST_GENERATED_DOCTOR);
  });

  test("rebuilds the secondary indexes it drops, with the same definitions", async () => {
    const definitions = () =>
      rows(sql`select indexname, indexdef from pg_indexes
               where tablename in ('users', 'doctors', 'patients', 'doctor_specialties', 'appointments',
                 'medical_records', 'medical_record_versions')
               order by indexname`);
    const before = await definitions();

    const result = await loadBulk(database.db, {
      size: 30,
      passwordHash: "x",
      sealRecord,
      rebuildIndexes: true,
      batchSize: 7,
    });

    expect(result.rebuiltIndexes).toEqual(
      expect.arrayContaining(["doctors_search_key_trgm", "doctors_rating", "appointments_patient_start"]),
    );
    expect(await definitions()).toEqual(before);
  });

  test("a load that fails part-way leaves nothing behind: no rows, trigger on, indexes in place", async () => {
    const before = await counts();
    const indexes = await rows(sql`select count(*)::int as n from pg_indexes where tablename = 'doctors'`);

    await expect(
      loadBulk(database.db, {
        size: 30,
        passwordHash: "x",
        sealRecord,
        rebuildIndexes: true,
        batchSize: 10,
        onProgress: ({ phase, done }) => {
          if (phase === "doctors" && done === 20) throw new Error("interrupted");
        },
      }),
    ).rejects.toThrow("interrupted");

    expect(await counts()).toEqual(before);
    expect(await rows(sql`select count(*)::int as n from pg_indexes where tablename = 'doctors'`)).toEqual(
      indexes,
    );
    const trigger = await one(sql`select tgenabled from pg_trigger where tgname = 'doctors_keys_on_write'`);
    expect(trigger.tgenabled).toBe("O");
  });
});

/** doctor.000001@load.demo.dz as the generator makes it; a change here means every load changed. */
const FIRST_GENERATED_DOCTOR = {
  first_name: "Ferhat",
  last_name: "Bensalem",
  id: "ebcdbb2f-1f1c-4c30-8c19-a2b63b1c7ecf",
  city: "Tlemcen",
  fee_amount_minor: 320_000,
};
