import { randomUUID } from "node:crypto";
import type { BareResponse, BareRoute, Row, Scenario, SetupContext, Target } from "../scenario.ts";
import { BULK_PASSWORD, bulkData } from "./bulk.ts";
import { bareAuthenticate } from "./identity.ts";

const LOGIN_PATH = "/api/v1/auth/login";
const MINE_PATH = "/api/v1/appointments/me";
const PAGE_SIZE = 20;
/** Reached by walking 499 cursors in setup, never by an offset. */
const DEEP_PAGE = 500;
const MAX_PAGE_SIZE = 100;

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null;

const page = (cursor?: string) =>
  `${MINE_PATH}?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;

/**
 * Runs on each server (ours, then the bare twin): signs in as the generated load's busy patient
 * (its first, with 12,500 appointments) and walks the list to the cursor of page 500.
 */
async function setup({ getJson, postJson }: SetupContext): Promise<readonly Target[]> {
  // The seed's module, in the bench's process only: the twin loads this file too.
  const { LOAD_DOMAIN } = await import("@medical/seed/bulk");
  const email = `patient.000001@${LOAD_DOMAIN}`;
  const login = await postJson(LOGIN_PATH, { email, password: BULK_PASSWORD });
  const token = isObject(login) && isObject(login.data) ? login.data.accessToken : undefined;
  if (typeof token !== "string") throw new Error(`${email} could not sign in: ${JSON.stringify(login)}`);
  const headers = { authorization: `Bearer ${token}` };
  let cursor: string | undefined;
  for (let n = 1; n < DEEP_PAGE; n += 1) {
    const answer = await getJson(page(cursor), headers);
    const data = isObject(answer) ? answer.data : undefined;
    if (!isObject(data) || typeof data.nextCursor !== "string")
      throw new Error(`page ${n} of ${MINE_PATH} has no next cursor: is the snapshot loaded?`);
    cursor = data.nextCursor;
  }
  return [
    { path: page(), headers, label: "page 1" },
    { path: page(cursor), headers, label: `page ${DEEP_PAGE}` },
  ];
}

// ---- The bare twin: the same reads in plain SQL, through postgres-js (or PGlite). ----

const failure = (status: number, message: string): BareResponse => ({
  status,
  body: { success: false, data: null, message },
});

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
const FIRST_PAGE = PAGE_SQL("");
const NEXT_PAGE = PAGE_SQL("and (a.starts_at, a.id) > ($6::timestamptz, $7::uuid)");

/** An instant as the driver gives it: a Date (postgres-js, PGlite) or PostgreSQL's text. */
const instant = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** The list's cursor (platform/list.ts): sort, order, the last row's start and id, base64url JSON. */
function encodeCursor(row: Row): string {
  const cursor = { s: "startsAt", o: "asc", v: instant(row.starts_at).toISOString(), id: row.id };
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(text: string): { v: string; id: string } | undefined {
  try {
    const raw: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!isObject(raw) || raw.s !== "startsAt" || raw.o !== "asc") return undefined;
    return typeof raw.v === "string" && typeof raw.id === "string" ? { v: raw.v, id: raw.id } : undefined;
  } catch {
    return undefined;
  }
}

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
const bareMine: BareRoute = {
  path: MINE_PATH,
  async handle({ query, url, headers, tokens }) {
    const caller = await bareAuthenticate(query, tokens, headers.authorization);
    if (!caller) return failure(401, "Authentication required");
    if (caller.role !== "PATIENT") return failure(403, "You are not allowed to do this");
    const params = url.searchParams;
    if ([...params.keys()].some((key) => key !== "limit" && key !== "cursor"))
      return failure(400, "the twin takes limit and cursor only");
    const limit = Number(params.get("limit") ?? PAGE_SIZE);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return failure(400, "bad limit");
    const cursorText = params.get("cursor");
    const cursor = cursorText === null ? undefined : decodeCursor(cursorText);
    if (cursorText !== null && !cursor) return failure(400, "not a cursor of this list");
    const audit = [caller.role, randomUUID(), "127.0.0.1"];
    const rows = cursor
      ? await query(NEXT_PAGE, [caller.userId, limit, ...audit, cursor.v, cursor.id])
      : await query(FIRST_PAGE, [caller.userId, limit, ...audit]);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      status: 200,
      body: {
        success: true,
        data: {
          items: items.map(summary),
          nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
        },
        message: null,
      },
    };
  },
};

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
  targets: [{ path: page() }],
  setup,
  bare: [bareMine],
  // The issue's targets: p95 under 20 ms at 300 requests/s; page 500 within 1.5× page 1.
  compareAt: { rate: 300, maxP95Ratio: 1.5, maxP95Ms: 20 },
  latencyRatio: { of: `page ${DEEP_PAGE}`, to: "page 1", max: 1.5 },
  data: bulkData,
};
