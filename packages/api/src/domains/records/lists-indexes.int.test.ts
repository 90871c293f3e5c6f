import { randomUUID } from "node:crypto";
import { selectRows } from "@medical/db";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { boundStatement } from "#testing/bound-statement.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { cursorOfPage, explainLines, generateAccounts } from "#testing/plans.ts";
import {
  bindingOf,
  type ListRecordsInput,
  listRecords,
  type RecordView,
  recordsPageQuery,
  WALK_BEYOND_CARE_APPOINTMENTS,
} from "./lists.service.ts";
import { EMPTY_CONTENT, RECORD_CONTENT, sealContent } from "./record-content.ts";

/**
 * A doctor's records list runs the plan that fits the practice (docs/decisions/0029): a doctor
 * with more than WALK_BEYOND_CARE_APPOINTMENTS care appointments gets a walk of
 * medical_records_created (or _updated) in the page's order that stops at the page's end; a
 * smaller practice its patients' records from the patients' index, then a sort. What is EXPLAINed
 * (with ANALYZE: both plans are in every doctor's statement, one of them never runs) is the page
 * the service's statement reads as its CTE, over ~3,500 records after ANALYZE, sequential scans
 * allowed. A view narrowed to one patient or to the doctor's own entries, and a patient's own
 * file, are the planner's choice on that file's index.
 */
const BUSY_PATIENTS = WALK_BEYOND_CARE_APPOINTMENTS + 200;
const DOCTORS = 400;
const PATIENTS = 2_000;
const PER_DOCTOR = 5;
/** Doctors who also see the last patient, whose file is long; the small practice's doctor is one. */
const LONG_FILE_DOCTORS = 300;
const kind = process.env.TEST_DB ?? "pglite";

const file = useFileDeps();
interface Party {
  userId: string;
  id: string;
}
let busy: Party;
let small: Party;
/** A patient of the large practice. */
let patientOfBusy: string;

beforeAll(async () => {
  await generateAccounts(file.db, "records", { doctors: [0, DOCTORS], patients: [1, PATIENTS] });
  // Doctor 0 (by email) sees patients 0..BUSY_PATIENTS-1 once each; doctor d ≥ 1 sees PER_DOCTOR
  // patients from d × PER_DOCTOR on, so every patient has one or two visits, and the doctors up to
  // LONG_FILE_DOCTORS the last patient too, whose file is long. Every appointment has
  // an hour of its own, in a shuffled order (no exclusion constraint is touched, and the doctors'
  // records interleave in time), in the past, COMPLETED.
  await file.db.execute(sql`
    with d as (select d.id, d.user_id, substring(u.email from 'records\\.doctor\\.(\\d+)@')::int as n
               from doctors d join users u on u.id = d.user_id),
         p as (select id, (row_number() over (order by id))::int - 1 as i from patients),
         plan as (
           select 0 as dn, g as pi from generate_series(0, ${BUSY_PATIENTS - 1}) g
           union all
           select dn, ${PATIENTS - 1} from generate_series(1, ${LONG_FILE_DOCTORS}) dn
           union all
           select dn, (dn * ${PER_DOCTOR} + k) % ${PATIENTS}
           from generate_series(1, ${DOCTORS}) dn cross join generate_series(0, ${PER_DOCTOR - 1}) k),
         timed as (select plan.*, row_number() over (order by md5(dn || ':' || pi)) as h from plan)
    insert into appointments (doctor_id, patient_id, starts_at, ends_at, timezone, status, created_by)
    select d.id, p.id, now() - (h + 10) * interval '1 hour', now() - (h + 10) * interval '1 hour' + interval '30 minutes',
      'Africa/Algiers', 'COMPLETED', d.user_id
    from timed join d on d.n = timed.dn join p on p.i = timed.pi`);
  // A record of every visit, by its doctor at its end, its text sealed as the service seals it.
  const visits = await selectRows(
    file.db,
    sql`select doctor_id, patient_id, id, to_json(ends_at) #>> '{}' as at from appointments`,
  );
  const records = visits.map((visit) => {
    const id = randomUUID();
    return {
      id,
      patient_id: visit.patient_id,
      doctor_id: visit.doctor_id,
      appointment_id: visit.id,
      at: visit.at,
      content: sealContent(file.deps.fieldCipher, RECORD_CONTENT, id, {
        ...EMPTY_CONTENT,
        clinicalNotes: "Examen clinique",
      }),
    };
  });
  await file.db.execute(sql`
    insert into medical_records (id, patient_id, kind, doctor_id, appointment_id, content, created_at, updated_at)
    select id, patient_id, 'CLINICAL', doctor_id, appointment_id, content, at, at
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
      as r(id uuid, patient_id uuid, doctor_id uuid, appointment_id uuid, content text, at timestamptz)`);
  await file.db.execute(sql`analyze appointments, doctors, patients, users, medical_records`);
  const [row] = await selectRows(
    file.db,
    sql`select
      (select d.id from doctors d join users u on u.id = d.user_id where u.email = 'records.doctor.0@example.dz') as busy_id,
      (select d.user_id from doctors d join users u on u.id = d.user_id where u.email = 'records.doctor.0@example.dz') as busy_user,
      (select d.id from doctors d join users u on u.id = d.user_id where u.email = 'records.doctor.300@example.dz') as small_id,
      (select d.user_id from doctors d join users u on u.id = d.user_id where u.email = 'records.doctor.300@example.dz') as small_user,
      (select r.patient_id from medical_records r join doctors d on d.id = r.doctor_id
        join users u on u.id = d.user_id where u.email = 'records.doctor.0@example.dz'
        order by r.patient_id limit 1) as patient_id`,
  );
  busy = { id: String(row?.busy_id), userId: String(row?.busy_user) };
  small = { id: String(row?.small_id), userId: String(row?.small_user) };
  patientOfBusy = String(row?.patient_id);
}, 180_000);

const doctor = (party: Party) => ({ userId: party.userId, role: "DOCTOR" as const });
const audit = { actor: null, requestId: "indexes", origin: { ip: null, userAgent: null } };
const input = (over: Partial<ListRecordsInput> = {}): ListRecordsInput => ({
  limit: 5,
  sort: "createdAt",
  order: "desc",
  ...over,
});

/** The plan the page's statement ran, with ANALYZE's row counts (a plan that did not run says so). */
async function plan(
  actor: { userId: string; role: "DOCTOR" | "PATIENT" },
  view: RecordView,
  over: Partial<ListRecordsInput>,
) {
  const { shape, values } = bindingOf(actor, view, input(over));
  const { ctes, page } = recordsPageQuery(file.db, shape);
  const statement = file.db
    .with(...ctes)
    .select()
    .from(page.as("page"));
  return (await explainLines(file.db, boundStatement(statement, values), { analyze: true })).join("\n");
}

/** The cursor of page `n`, walked through the service as a client would. */
const cursorOfView = (
  actor: { userId: string; role: "DOCTOR" | "PATIENT" },
  view: RecordView,
  over: Partial<ListRecordsInput>,
  n: number,
) =>
  cursorOfPage(
    n,
    async (cursor) =>
      (await listRecords(file.deps, audit, actor, view, input({ ...over, cursor }))).nextCursor,
  );

/** An index scan's line in the plan, and whether it ran. */
function scanOf(explained: string, index: string, direction: "Backward " | "" = ""): string {
  const line = explained
    .split("\n")
    .find((l) => new RegExp(`Index (Only )?Scan ${direction}using ${index} on medical_records\\b`).test(l));
  if (!line) throw new Error(`no scan of ${index}${direction ? " backward" : ""} in\n${explained}`);
  return line;
}
const ran = (line: string) => !line.includes("never executed");
/** Whether the plan ran a walk of every record (a doctor's view plans one for a large practice). */
const walked = (explained: string) =>
  explained
    .split("\n")
    .some((line) => /Scan (Backward )?using medical_records_(created|updated)\b/.test(line) && ran(line));
const boundByCursor = (key: string) =>
  new RegExp(
    `Index Cond: \\(ROW\\((medical_records(_\\d+)?\\.)?${key}, (medical_records(_\\d+)?\\.)?id\\) [<>] ROW\\(`,
  );

describe(`a doctor's records list runs the plan that fits the practice (${kind}, a small one has ${WALK_BEYOND_CARE_APPOINTMENTS} care appointments at most)`, () => {
  test("a large practice: page 1 and page 5 walk medical_records_created backwards and stop; the small plan never runs", async () => {
    const first = await plan(doctor(busy), "doctor", {});
    expect(ran(scanOf(first, "medical_records_created", "Backward "))).toBe(true);
    expect(first).toMatch(/Bitmap Heap Scan on medical_records[^\n]*never executed/);
    const cursor = await cursorOfView(doctor(busy), "doctor", {}, 5);
    const deep = await plan(doctor(busy), "doctor", { cursor });
    expect(ran(scanOf(deep, "medical_records_created", "Backward "))).toBe(true);
    // The row comparison (created_at, id) < (v, id) bounds the walk: no row before the cursor is read.
    expect(deep).toMatch(boundByCursor("created_at"));
    // The page and the next row, and a few rows of other doctors' patients skipped on the way: not
    // the practice's 2,000 readable records.
    const walk = deep.split("medical_records_created")[1] ?? "";
    expect(walk).toMatch(/^[^\n]*\(actual rows=6(\.00)? loops=1\)/);
    expect(Number(/Rows Removed by Filter: (\d+)/.exec(walk)?.[1] ?? 0)).toBeLessThan(50);
  });

  test("a large practice sorted by the last change, oldest first: medical_records_updated forwards", async () => {
    const cursor = await cursorOfView(doctor(busy), "doctor", { sort: "updatedAt", order: "asc" }, 3);
    const explained = await plan(doctor(busy), "doctor", { sort: "updatedAt", order: "asc", cursor });
    expect(ran(scanOf(explained, "medical_records_updated"))).toBe(true);
    expect(explained).toMatch(boundByCursor("updated_at"));
  });

  test("a large practice's own entries, or one patient's file: read from their own index, not the walk", async () => {
    const mine = await plan(doctor(busy), "doctor", { authoredByMe: true });
    expect(walked(mine)).toBe(false);
    expect(mine).toMatch(
      /(Scan Backward using|Bitmap Index Scan on) medical_records_doctor_\w+[^\n]*\(actual rows=[1-9]/,
    );
    const one = await plan(doctor(busy), "doctor", { patientId: patientOfBusy });
    expect(walked(one)).toBe(false);
    expect(one).toMatch(
      /(Scan Backward using|Bitmap Index Scan on) medical_records_patient_\w+[^\n]*\(actual rows=[1-9]/,
    );
  });

  test("a small practice: its patients' records from the patients' index, sorted; the walk never runs", async () => {
    const explained = await plan(doctor(small), "doctor", {});
    expect(explained).toMatch(/Bitmap Index Scan on medical_records_patient_\w+[^\n]*\(actual rows=[1-9]/);
    expect(walked(explained)).toBe(false);
    // Its six patients' files, the long one's 300 records among them, and its own six entries.
    const page = await listRecords(file.deps, audit, doctor(small), "doctor", input({ limit: 100 }));
    expect(page.items).toHaveLength(100);
    const mine = await listRecords(
      file.deps,
      audit,
      doctor(small),
      "doctor",
      input({ limit: 100, authoredByMe: true }),
    );
    expect(mine.items.map((item) => item.doctor?.id)).toEqual(Array(PER_DOCTOR + 1).fill(small.id));
  });
});
