import type { RecordContent } from "@medical/api";
import { type Executor, selectRows } from "@medical/db";
import { type SQL, sql } from "drizzle-orm";
import { clinicalTemplate, clinicalText, type RecordSubject } from "../data/records.ts";
import { MINOR_BORN_FROM } from "../demo/build.ts";
import { APPOINTMENT_ID, uuidOf } from "./ids.ts";

/**
 * Seals a generated record's text for its row as the records service does: the API's
 * `sealRecordText` with the server's cipher (a record the server cannot decrypt is useless). The
 * load writes SQL, and SQL cannot encrypt: the text is sealed here, in Node, a batch at a time.
 */
export type RecordSealer = (
  table: "medical_records" | "medical_record_versions",
  rowId: string,
  content: RecordContent,
) => string;

/**
 * Which completed visits of a load get a clinical record, written by the visit's doctor at its
 * end: every one of the load's busy doctor (the doctor whose patients' records the bench reads,
 * ~7,800 at --size 100,000), and one in RECORD_SHARE_ELSEWHERE of the others (a record per visit
 * everywhere would multiply the load's time by the encryption and the bytes of ~600k texts).
 */
export const RECORD_SHARE_ELSEWHERE = 10;

/** The kind of the busy doctor's grid rows (load.ts busyAppointmentRows). */
const BUSY_DOCTOR_KIND = "appointment-busy-doctor";

/**
 * The completed visits among `gridRows` (load.ts's rows (g, kind, …)) that get a record, with the ids of the record and its first version (derived
 * from the appointment's, so a number always gives the same rows), the doctor's account and first
 * specialty, the patient's sex and minority, and the visit's end and day in the doctor's zone.
 */
function chosenVisits(gridRows: SQL): SQL {
  return sql`
    with s as (${gridRows})
    select a.id as appointment_id, a.doctor_id, a.patient_id, d.user_id as doctor_user,
      ${sql.raw(uuidOf("record", "a.id::text"))} as record_id,
      ${sql.raw(uuidOf("record-version", "a.id::text"))} as version_id,
      to_json(a.ends_at) #>> '{}' as ended_at,
      ((a.ends_at at time zone a.timezone)::date)::text as visit_day,
      (select min(sp.name) from doctor_specialties ds join specialties sp on sp.id = ds.specialty_id
        where ds.doctor_id = a.doctor_id) as specialty,
      p.sex, p.date_of_birth >= ${MINOR_BORN_FROM}::date as minor
    from s
    join appointments a on a.id = ${sql.raw(APPOINTMENT_ID)}
    join doctors d on d.id = a.doctor_id
    join patients p on p.id = a.patient_id
    where a.status = 'COMPLETED'
      and (s.kind = ${BUSY_DOCTOR_KIND}
        or (hashint8extended(s.g, 40) & 9223372036854775807) % ${RECORD_SHARE_ELSEWHERE} = 0)`;
}

const text = (value: unknown) => {
  if (typeof value !== "string") throw new Error(`expected text, got ${typeof value}`);
  return value;
};

/** A visit's record, chosen by its id among those that fit: the same id always says the same. */
function contentOf(
  recordId: string,
  specialty: string | null,
  subject: RecordSubject,
): { content: RecordContent; followUpDays: number | null } {
  const template = clinicalTemplate(specialty, Number.parseInt(recordId.slice(0, 8), 16), subject);
  return { content: { ...clinicalText(template), note: null }, followUpDays: template.followUpDays };
}

/**
 * Writes a clinical record, at version 1 with its version row, for each visit of `gridRows` that
 * gets one (`chosenVisits`): the text sealed in Node for each row, the rows inserted from one JSON
 * parameter per table (any batch size fits in one bound value). Returns how many it wrote.
 */
export async function insertRecords(tx: Executor, gridRows: SQL, seal: RecordSealer): Promise<number> {
  const visits = await selectRows(tx, chosenVisits(gridRows));
  if (!visits.length) return 0;
  const records = [];
  const versions = [];
  for (const visit of visits) {
    const recordId = text(visit.record_id);
    const versionId = text(visit.version_id);
    const { content, followUpDays } = contentOf(
      recordId,
      typeof visit.specialty === "string" ? visit.specialty : null,
      { sex: text(visit.sex), minor: visit.minor === true },
    );
    const shared = {
      appointment_id: text(visit.appointment_id),
      at: text(visit.ended_at),
      visit_day: text(visit.visit_day),
      follow_up_days: followUpDays,
    };
    records.push({
      ...shared,
      id: recordId,
      patient_id: text(visit.patient_id),
      doctor_id: text(visit.doctor_id),
      content: seal("medical_records", recordId, content),
    });
    versions.push({
      ...shared,
      id: versionId,
      record_id: recordId,
      edited_by: text(visit.doctor_user),
      content: seal("medical_record_versions", versionId, content),
    });
  }
  await tx.execute(sql`
    insert into medical_records (id, patient_id, kind, doctor_id, appointment_id, version, content,
      follow_up_date, created_at, updated_at)
    select id, patient_id, 'CLINICAL', doctor_id, appointment_id, 1, content,
      visit_day + follow_up_days, at, at
    from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(id uuid, patient_id uuid,
      doctor_id uuid, appointment_id uuid, content text, visit_day date, follow_up_days int, at timestamptz)`);
  await tx.execute(sql`
    insert into medical_record_versions (id, record_id, version, content, follow_up_date, appointment_id,
      edited_by, edited_by_role, edited_at)
    select id, record_id, 1, content, visit_day + follow_up_days, appointment_id, edited_by, 'DOCTOR', at
    from jsonb_to_recordset(${JSON.stringify(versions)}::jsonb) as v(id uuid, record_id uuid,
      content text, visit_day date, follow_up_days int, appointment_id uuid, edited_by uuid, at timestamptz)`);
  return visits.length;
}
