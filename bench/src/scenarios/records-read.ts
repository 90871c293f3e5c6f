import { createDecipheriv } from "node:crypto";
import { z } from "zod";
import { BENCH_ENCRYPTION_KEY } from "../identity.ts";
import type { BareRoute, Row, Scenario, SetupContext, Target } from "../scenario.ts";
import { bulkData } from "./bulk.ts";
import { firstAndDeepPages, instant, keysetListRoute, listPage } from "./keyset-list.ts";

const RECORDS_PATH = "/api/v1/medical-records/doctor/me";
const PAGE_SIZE = 20;
const DEEP_PAGE = 500;
/** The service's WALK_BEYOND_CARE_APPOINTMENTS (packages/api/src/domains/records/lists.service.ts). */
const WALK_BEYOND_CARE_APPOINTMENTS = 1_000;

/**
 * Signs in as the generated load's busy doctor (its first, with 12,500 appointments and the
 * records of ~11,600 patients).
 */
async function setup(context: SetupContext): Promise<readonly Target[]> {
  // The seed's module, in the bench's process only: the twin loads this file too.
  const { LOAD_DOMAIN } = await import("@medical/seed/bulk");
  const email = `doctor.000001@${LOAD_DOMAIN}`;
  return firstAndDeepPages(context, { email, path: RECORDS_PATH, size: PAGE_SIZE, deep: DEEP_PAGE });
}

// ---- The bare twin: the same statement in plain SQL, the same decryption with node:crypto. ----

const CARE = "('SCHEDULED', 'COMPLETED', 'NO_SHOW')";
const OWN_DOCTOR = "(select doctors.id from doctors where doctors.user_id = $1)";
const CARE_DOCTOR = "(select care_doctors.id from doctors as care_doctors where care_doctors.user_id = $1)";
const CARE_OF = `care_appointments.doctor_id = ${CARE_DOCTOR} and care_appointments.status in ${CARE}`;
const COLUMNS =
  "id, patient_id, kind, doctor_id, appointment_id, version, content, follow_up_date, created_at, updated_at, " +
  "deleted_at, deleted_by, deleted_by_role, deletion_reason";
const ORDER = "medical_records.created_at desc, medical_records.id desc";

/**
 * The service's one statement for the DOCTOR's view (lists.service.ts): `practice` (more than
 * WALK_BEYOND_CARE_APPOINTMENTS care appointments?), the page as a union of the small practice's
 * plan (the patients' index, sorted) and the large one's (a walk with a per-row care probe), one of
 * which runs, the read's audit row written from the page (the ids shown), and the page's rows in
 * order with both parties' names.
 */
const PAGE_SQL = (after: string) => {
  const visible = (care: string) =>
    `(medical_records.deleted_at is null and (medical_records.doctor_id = ${OWN_DOCTOR} or ${care}))`;
  const exists = `exists (select 1 from appointments as care_appointments where ${CARE_OF} and care_appointments.patient_id = medical_records.patient_id)`;
  const probe = `coalesce((select true from appointments as care_appointments where ${CARE_OF} and care_appointments.patient_id = medical_records.patient_id limit 1), false)`;
  const treated = `(medical_records.patient_id = any(array(select care_appointments.patient_id from appointments as care_appointments where ${CARE_OF})) or medical_records.doctor_id = ${OWN_DOCTOR})`;
  return `with practice as (
    select count(*) > ${WALK_BEYOND_CARE_APPOINTMENTS} as beyond from (select 1 as one from appointments care_appointments
      where ${CARE_OF} limit ${WALK_BEYOND_CARE_APPOINTMENTS + 1}) care_sample),
  page as ((select ${COLUMNS} from medical_records
      where ${visible(exists)} ${after} and (not (select beyond from practice) and ${treated})
      order by ${ORDER} limit $2 + 1)
    union all (select ${COLUMNS} from medical_records
      where ${visible(probe)} ${after} and (select beyond from practice)
      order by ${ORDER} limit $2 + 1)
    order by created_at desc, id desc limit $2 + 1),
  audit_row as (
    insert into audit_events (actor_id, actor_role, action, target_type, patient_id, resource_ids,
      outcome, request_id, ip, details)
    values ($1, $3, 'medical_record.list', 'medical_record', null,
      array(select page.id from page order by page.created_at desc, page.id desc limit $2), 'SUCCESS', $4, $5,
      '{"view":"doctor"}'))
  select page.*, pu.first_name as patient_first_name, pu.last_name as patient_last_name,
    du.first_name as doctor_first_name, du.last_name as doctor_last_name
  from page
  join patients on patients.id = page.patient_id join users pu on pu.id = patients.user_id
  left join doctors on doctors.id = page.doctor_id left join users du on du.id = doctors.user_id
  order by page.created_at desc, page.id desc`;
};

/** A calendar date as the driver gives it (a Date at UTC midnight, or text), as `YYYY-MM-DD`. */
const calendarDate = (value: unknown): string | null =>
  value === null
    ? null
    : value instanceof Date
      ? value.toISOString().slice(0, 10)
      : String(value).slice(0, 10);

/** The records' text document, checked as the service checks it (record-content.ts). */
const ZContentDocument = z.object({
  v: z.literal(1),
  diagnoses: z.array(z.object({ code: z.string().nullable(), description: z.string() })),
  treatmentPlan: z.string().nullable(),
  prescriptions: z.array(
    z.object({
      medication: z.string(),
      dosage: z.string(),
      route: z.string(),
      frequency: z.string(),
      duration: z.string().nullable(),
      instructions: z.string().nullable(),
    }),
  ),
  clinicalNotes: z.string().nullable(),
  note: z.string().nullable(),
});

const TAG_BYTES = 16;

/** AES-256-GCM of the field cipher (v1.<key id>.<iv>.<ciphertext+tag>), bound to medical_records.content of the row. */
function openContent(keys: ReadonlyMap<string, Buffer>, stored: unknown, rowId: string) {
  const [version, keyId, iv, body, extra] = String(stored).split(".");
  const key = keyId ? keys.get(keyId) : undefined;
  if (version !== "v1" || !key || !iv || !body || extra !== undefined)
    throw new Error("unreadable ciphertext");
  const data = Buffer.from(body, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAAD(Buffer.from(`medical_records\u0000content\u0000${rowId}`, "utf8"));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  const plain = Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
  const { v: _version, ...content } = ZContentDocument.parse(JSON.parse(plain.toString("utf8")));
  return content;
}

/** The service's MedicalRecordDto of a listed row (never deleted: a doctor's view hides those). */
function recordDto(keys: ReadonlyMap<string, Buffer>, row: Row) {
  if (row.deletion_reason !== null) throw new Error("a listed record is never deleted");
  const id = String(row.id);
  return {
    id,
    kind: row.kind,
    patient: { id: row.patient_id, firstName: row.patient_first_name, lastName: row.patient_last_name },
    doctor:
      row.doctor_id !== null && row.doctor_first_name !== null && row.doctor_last_name !== null
        ? { id: row.doctor_id, firstName: row.doctor_first_name, lastName: row.doctor_last_name }
        : null,
    appointmentId: row.appointment_id,
    ...openContent(keys, row.content, id),
    followUpDate: calendarDate(row.follow_up_date),
    version: row.version,
    createdAt: instant(row.created_at),
    updatedAt: instant(row.updated_at),
    deletion: null,
  };
}

/**
 * GET /medical-records/doctor/me as the twin answers it with `keys` (key id → 32-byte key): the
 * session, then the page and its audit row in one statement, then each item decrypted and checked
 * as the service does.
 */
export function bareDoctorRecords(keys: ReadonlyMap<string, Buffer>): BareRoute {
  return keysetListRoute({
    path: RECORDS_PATH,
    role: "DOCTOR",
    forbidden: "Your role has no access to medical records here",
    size: PAGE_SIZE,
    sort: { key: "createdAt", order: "desc", column: "created_at" },
    statement: PAGE_SQL,
    after: "and (medical_records.created_at, medical_records.id) < ($6::timestamptz, $7::uuid)",
    item: (row) => recordDto(keys, row),
  });
}

/**
 * A doctor reading their patients' records at ~67,000 records: page 1 and page 500 (its cursor
 * walked in setup) side by side, the generated load's busy doctor signed in. Every page is
 * audited and its 20 texts decrypted on both servers.
 */
export const recordsRead: Scenario = {
  name: "records.read",
  description:
    `GET /api/v1/medical-records/doctor/me?limit=${PAGE_SIZE} over 66,891 generated records, as the doctor with ` +
    `12,500 appointments (~15,000 readable records of ~11,600 patients): page 1 and page ${DEEP_PAGE} (cursor ` +
    "walked in setup), a mix of two. Each answer: token and session check, then one statement — the practice's " +
    "size (at most 1,001 care appointments read), the page by a walk of medical_records_created with a per-row " +
    "care probe, the read's audit row (the ids returned) written from it, both parties' names — then 20 " +
    "AES-256-GCM texts decrypted and checked, on both servers",
  // Replaced by setup's (the token and the deep cursor are known only once the data is there).
  targets: [{ path: listPage(RECORDS_PATH, PAGE_SIZE) }],
  setup,
  bare: [bareDoctorRecords(new Map([[BENCH_ENCRYPTION_KEY.id, BENCH_ENCRYPTION_KEY.key]]))],
  // The issue's: at least 0.6× the twin at concurrency 32; the p95 at 300 requests/s for the note.
  minRatio: 0.6,
  concurrency: 32,
  compareAt: { rate: 300 },
  data: bulkData,
};
