import type { Row, Scenario, SetupContext, Target } from "../scenario.ts";
import { bulkData } from "./bulk.ts";
import { isObject } from "./envelope.ts";
import { firstAndDeepPages, instant, keysetListRoute, listPage } from "./keyset-list.ts";

const MINE_PATH = "/api/v1/appointments/me";
const PAGE_SIZE = 20;
const DEEP_PAGE = 500;

/** Signs in as the generated load's busy patient (its first, with 12,500 appointments). */
async function setup(context: SetupContext): Promise<readonly Target[]> {
  // The seed's module, in the bench's process only: the twin loads this file too.
  const { LOAD_DOMAIN } = await import("@medical/seed/bulk");
  const email = `patient.000001@${LOAD_DOMAIN}`;
  return firstAndDeepPages(context, { email, path: MINE_PATH, size: PAGE_SIZE, deep: DEEP_PAGE });
}

// ---- The bare twin: the same reads in plain SQL, through postgres-js (or PGlite). ----

/**
 * The service's one statement: the page (the caller's appointments with both parties' names and
 * each doctor's specialties, by (start, id)) as a CTE, the read's audit row written from it (the
 * ids shown, the patient), and the page in order.
 */
const PAGE_SQL = (after: string) => `with page as (
    select a.id, a.doctor_id, a.patient_id, a.starts_at, a.ends_at, a.timezone, a.status,
      a.cancelled_by, a.cancelled_by_role, a.cancellation_reason, a.cancelled_at, a.created_at, a.updated_at,
      du.first_name as doctor_first_name, du.last_name as doctor_last_name,
      coalesce((select json_agg(json_build_object('id', s.id, 'name', s.name) order by s.name)
        from doctor_specialties ds join specialties s on s.id = ds.specialty_id
        where ds.doctor_id = a.doctor_id), '[]'::json) as doctor_specialties,
      pu.first_name as patient_first_name, pu.last_name as patient_last_name
    from appointments a
    join doctors d on d.id = a.doctor_id join users du on du.id = d.user_id
    join patients p on p.id = a.patient_id join users pu on pu.id = p.user_id
    where a.patient_id = (select id from patients where user_id = $1) ${after}
    order by a.starts_at asc, a.id asc limit $2 + 1),
  audit_row as (
    insert into audit_events (actor_id, actor_role, action, target_type, patient_id, resource_ids,
      outcome, request_id, ip, details)
    values ($1, $3, 'appointment.list', 'appointment', (select patient_id from page limit 1),
      array(select id from page order by starts_at asc, id asc limit $2), 'SUCCESS', $4, $5, '{"view":"patient"}'))
  select * from page order by starts_at asc, id asc`;

/** The JSON array of the page's doctor_specialties column. */
const specialtiesOf = (value: unknown): Row[] => (Array.isArray(value) ? value.filter(isObject) : []);

/** The service's AppointmentSummary, field for field. */
function summary(row: Row) {
  if (row.cancellation_reason !== null)
    throw new Error("the bare twin cannot decrypt a cancellation reason (the generated load writes none)");
  return {
    id: row.id,
    doctor: {
      id: row.doctor_id,
      firstName: row.doctor_first_name,
      lastName: row.doctor_last_name,
      specialties: specialtiesOf(row.doctor_specialties).map((s) => ({ id: s.id, name: s.name })),
    },
    patient: { id: row.patient_id, firstName: row.patient_first_name, lastName: row.patient_last_name },
    startsAt: instant(row.starts_at),
    endsAt: instant(row.ends_at),
    timezone: row.timezone,
    status: row.status,
    cancellation:
      row.cancelled_at !== null
        ? {
            by: { userId: row.cancelled_by, role: row.cancelled_by_role },
            reason: null,
            at: instant(row.cancelled_at),
          }
        : null,
    createdAt: instant(row.created_at),
    updatedAt: instant(row.updated_at),
  };
}

/** GET /appointments/me: the session, then the page and its audit row in one statement, as the service does. */
const bareMine = keysetListRoute({
  path: MINE_PATH,
  role: "PATIENT",
  forbidden: "You are not allowed to do this",
  size: PAGE_SIZE,
  sort: { key: "startsAt", order: "asc", column: "starts_at" },
  statement: PAGE_SQL,
  after: "and (a.starts_at, a.id) > ($6::timestamptz, $7::uuid)",
  item: summary,
});

/**
 * A patient's appointment list at a million appointments: page 1 and page 500 (its cursor walked
 * in setup) side by side, the generated load's busy patient signed in. Keyset pages should make
 * the deep page cost what the first does.
 */
export const appointmentsMine: Scenario = {
  name: "appointments.mine",
  description:
    `GET /api/v1/appointments/me?limit=${PAGE_SIZE} over 1,024,990 generated appointments, the patient with 12,500 of them: ` +
    `page 1 and page ${DEEP_PAGE} (cursor walked in setup), a mix of two. Each answer: token and session check, ` +
    "then one statement: the page by (starts_at, id) on appointments_patient_start with both parties' names and " +
    "the doctors' specialties, and the read's audit row (the ids returned) written from it, on both servers",
  // Replaced by setup's (the token and the deep cursor are known only once the data is there).
  targets: [{ path: listPage(MINE_PATH, PAGE_SIZE) }],
  setup,
  bare: [bareMine],
  // The targets: p95 under 20 ms at 300 requests/s; page 500 within 1.5× page 1.
  compareAt: { rate: 300, maxP95Ratio: 1.5, maxP95Ms: 20 },
  latencyRatio: { of: `page ${DEEP_PAGE}`, to: "page 1", max: 1.5 },
  data: bulkData,
};
