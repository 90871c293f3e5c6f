import { selectRows } from "@medical/db";
import type { User } from "@medical/db/schema";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import type { Actor } from "#platform/auth/actor.ts";
import { boundStatement } from "#testing/bound-statement.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { cursorOfPage, explainLines, generateAccounts, type Statement } from "#testing/plans.ts";
import {
  type AppointmentView,
  appointmentsPageQuery,
  bindingOf,
  type ListAppointmentsInput,
  listAppointments,
} from "./views.service.ts";

/**
 * The three views walk their index: a page is one range of appointments_patient_start,
 * appointments_doctor_start or appointments_start, with no sort and the cursor as a bound of the
 * scan, so page 500 costs what page 1 does. What is EXPLAINed is exactly the page the service's
 * statement reads as its CTE (`appointmentsPageQuery(...).toSQL()`), over ~40k generated appointments after ANALYZE, with
 * sequential scans allowed: the index must win on its own.
 */
const DOCTORS = 400;
const PATIENTS = 1_000;
const ROUNDS = 100;
const kind = process.env.TEST_DB ?? "pglite";

const file = useFileDeps();
interface Party {
  userId: string;
  role: User["role"];
  id: string;
}
let patient: Party;
let doctor: Party;

beforeAll(async () => {
  await generateAccounts(file.db, "index", { doctors: [1, DOCTORS], patients: [1, PATIENTS] });
  // Doctor d's k-th appointment is at hour k, with patient (d + 3k) mod PATIENTS: within an hour
  // every doctor has another patient, so neither exclusion constraint is touched. Every tenth
  // round is left out (a gap), some are cancelled, the past ones completed.
  await file.db.execute(sql`
    with d as (select id, user_id, (row_number() over (order by id))::int - 1 as i from doctors),
         p as (select id, (row_number() over (order by id))::int - 1 as i from patients)
    insert into appointments (doctor_id, patient_id, starts_at, ends_at, timezone, status, created_by)
    select d.id, p.id, s.starts_at, s.starts_at + interval '30 minutes', 'Africa/Algiers',
      case when k % 7 = 0 then 'SCHEDULED' when s.starts_at < now() then 'COMPLETED' else 'SCHEDULED' end,
      d.user_id
    from d cross join generate_series(0, ${ROUNDS - 1}) k
    join p on p.i = (d.i + 3 * k) % ${PATIENTS}
    cross join lateral (select now() - interval '50 hours' + k * interval '1 hour' as starts_at) s
    where k % 10 <> 9`);
  await file.db.execute(sql`analyze appointments, doctors, patients, users`);
  // The busiest of each: every round of theirs is in the data.
  const [busiest] = await selectRows(
    file.db,
    sql`select (select d.id from doctors d order by d.id limit 1) as doctor_id,
          (select d.user_id from doctors d order by d.id limit 1) as doctor_user,
          p.id as patient_id, p.user_id as patient_user
        from patients p join appointments a on a.patient_id = p.id
        group by p.id order by count(*) desc, p.id limit 1`,
  );
  doctor = { userId: String(busiest?.doctor_user), role: "DOCTOR", id: String(busiest?.doctor_id) };
  patient = { userId: String(busiest?.patient_user), role: "PATIENT", id: String(busiest?.patient_id) };
}, 120_000);

/**
 * The plan of the page's own rows: without its SubPlans (each row's doctor's specialties, a few
 * rows sorted by name per row, are not the page's order).
 */
async function plan(statement: Statement): Promise<string> {
  const lines = await explainLines(file.db, statement);
  const indent = (line: string) => line.length - line.trimStart().length;
  const kept: string[] = [];
  let subPlanAt: number | undefined;
  for (const line of lines) {
    if (subPlanAt !== undefined && indent(line) > subPlanAt) continue;
    subPlanAt = line.trimStart().startsWith("SubPlan") ? indent(line) : undefined;
    if (subPlanAt === undefined) kept.push(line);
  }
  expect(kept.length).toBeLessThan(lines.length);
  return kept.join("\n");
}

const actorOf = (party: Party) => ({ userId: party.userId, role: party.role });
const staff = { userId: "00000000-0000-4000-8000-000000000000", role: "STAFF" } as const;
const audit = { actor: staff, requestId: "indexes", origin: { ip: null, userAgent: null } };

const input = (over: Partial<ListAppointmentsInput> = {}): ListAppointmentsInput => ({
  limit: 5,
  sort: "startsAt",
  ...over,
});

/** The cursor of page `n`, walked as a client would. */
const cursorOfView = (
  actor: { userId: string; role: User["role"] },
  view: "patient" | "doctor" | "all",
  over: Partial<ListAppointmentsInput>,
  n: number,
) =>
  cursorOfPage(
    n,
    async (cursor) =>
      (await listAppointments(file.deps, audit, actor, view, input({ ...over, cursor }))).nextCursor,
  );

/** The page's statement as the service sends it for the actor's view, its placeholders bound. */
function pageStatement(
  actor: Pick<Actor, "userId" | "role">,
  view: AppointmentView,
  over: ListAppointmentsInput,
) {
  const { shape, values } = bindingOf(actor, view, over, new Date());
  return boundStatement(appointmentsPageQuery(file.db, shape), values);
}

const scan = (index: string, backward = false) =>
  new RegExp(`Index (Only )?Scan ${backward ? "Backward " : ""}using ${index} on appointments\\b`);
const boundByCursor = /Index Cond: \(.*ROW\((appointments\.)?starts_at, (appointments\.)?id\) [<>] ROW\(/;

describe(`appointment views walk their index (${kind}, ${((DOCTORS * ROUNDS * 9) / 10).toLocaleString("en")} appointments after ANALYZE)`, () => {
  const views = [
    ["GET /appointments/me", "patient", () => actorOf(patient), {}, "appointments_patient_start"],
    ["GET /appointments/doctor/me", "doctor", () => actorOf(doctor), {}, "appointments_doctor_start"],
    ["GET /appointments", "all", () => staff, {}, "appointments_start"],
    ["GET /appointments?doctorId=", "all", () => staff, { doctor: true }, "appointments_doctor_start"],
    ["GET /appointments?patientId=", "all", () => staff, { patient: true }, "appointments_patient_start"],
  ] as const;
  const filtersOf = (which: { doctor?: boolean; patient?: boolean }) => ({
    ...(which.doctor ? { doctorId: doctor.id } : {}),
    ...(which.patient ? { patientId: patient.id } : {}),
  });

  test.each(views)(
    "%s: page 1 and page 5 walk the view's index, no sort",
    async (_route, view, actor, which, index) => {
      const filters = filtersOf(which);
      const first = await plan(pageStatement(actor(), view, input(filters)));
      expect(first).toMatch(scan(index));
      expect(first).not.toMatch(/\bSort\b/);
      const cursor = await cursorOfView(actor(), view, filters, 5);
      const deep = await plan(pageStatement(actor(), view, input({ ...filters, cursor })));
      expect(deep).toMatch(scan(index));
      expect(deep).not.toMatch(/\bSort\b/);
      // The row comparison (starts_at, id) > (v, id) bounds the scan: no row before the cursor is read.
      expect(deep).toMatch(boundByCursor);
    },
  );

  test("when=past, latest first: the same index backwards, bounded by now and the cursor", async () => {
    const past = { when: "past" as const };
    const cursor = await cursorOfView(actorOf(patient), "patient", past, 3);
    const explained = await plan(pageStatement(actorOf(patient), "patient", input({ ...past, cursor })));
    expect(explained).toMatch(scan("appointments_patient_start", true));
    expect(explained).not.toMatch(/\bSort\b/);
    expect(explained).toMatch(boundByCursor);
  });

  test("when=upcoming and from/to are bounds of the scan too, not filters after it", async () => {
    const explained = await plan(
      pageStatement(
        actorOf(doctor),
        "doctor",
        input({ when: "upcoming", to: new Date(Date.now() + 100 * 3_600_000) }),
      ),
    );
    expect(explained).toMatch(scan("appointments_doctor_start"));
    expect(explained).toMatch(/Index Cond: \(.*starts_at >= .*starts_at < /s);
  });
});
