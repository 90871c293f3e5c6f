import { type Database, pgErrorFacts } from "@medical/db";
import {
  appointments,
  availabilityExceptions,
  availabilityRules,
  doctors,
  patients,
  users,
} from "@medical/db/schema";
import { hash } from "@node-rs/argon2";
import { ARGON2_COST } from "../identity.ts";
import type {
  BareQuery,
  BareResponse,
  BareRoute,
  RaceRequest,
  Row,
  Scenario,
  SetupContext,
  SqlParam,
} from "../scenario.ts";
import { isObject } from "./envelope.ts";
import { normalizePassword, verifyAccessToken } from "./identity.ts";

/** Fixed ids: the snapshot is the bench's own, and setup must find its doctors without a search. */
const SLOTS_DOCTOR_ID = "b3ec4a10-5107-4c0d-9a1e-000000000001";
const RACE_DOCTOR_ID = "b3ec4a10-5107-4c0d-9a1e-000000000002";
const ZONE = "Africa/Algiers";
const SLOT_DAYS = 30;
/** Appointments are seeded this many days ahead of the snapshot's day: the window stays busy that long. */
const BOOKED_DAYS = 365;
const RACE_PATIENTS = 200;
const RACE_PASSWORD = "bench-race-pw-1";
const raceEmail = (i: number) => `bench-race-${i}@example.com`;
const LOGIN_PATH = "/api/v1/auth/login";
const BOOK_PATH = "/api/v1/appointments";
const slotsPath = (doctorId: string) => `/api/v1/doctors/${doctorId}/availability/slots`;

/** The server's code the twin and the seed call: slot generation, pure. Loaded on first use only. */
let api: Promise<typeof import("@medical/api")> | undefined;
const apiModule = () => {
  api ??= import("@medical/api");
  return api;
};

const MS_PER_DAY = 86_400_000;
const utcDate = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * MS_PER_DAY).toISOString().slice(0, 10);

async function doctorAccount(db: Database, id: string, name: string): Promise<void> {
  const [user] = await db
    .insert(users)
    .values({ email: `bench-${name}-doctor@example.com`, role: "DOCTOR", firstName: name, lastName: "Bench" })
    .returning({ id: users.id });
  if (!user) throw new Error("no doctor user inserted");
  await db
    .insert(doctors)
    .values({ id, userId: user.id, city: "Alger", feeAmountMinor: 200_000, timezone: ZONE });
}

/**
 * The slots doctor: weekday mornings and afternoons in 30-minute slots, Saturday mornings in 20,
 * a day off and an evening of extra hours every fortnight, and every third slot of the next year
 * booked (seeded with slot generation itself, so every appointment sits on the grid).
 */
async function seedSlotsDoctor(db: Database): Promise<void> {
  const { addDays, generateSlots } = await apiModule();
  await doctorAccount(db, SLOTS_DOCTOR_ID, "slots");
  const weekdays = [1, 2, 3, 4, 5];
  const rules = [
    ...weekdays.map((weekday) => ({ weekday, startMinute: 540, endMinute: 750, slotMinutes: 30 })),
    ...weekdays.map((weekday) => ({ weekday, startMinute: 840, endMinute: 1080, slotMinutes: 30 })),
    { weekday: 6, startMinute: 540, endMinute: 780, slotMinutes: 20 },
  ];
  await db.insert(availabilityRules).values(rules.map((rule) => ({ ...rule, doctorId: SLOTS_DOCTOR_ID })));
  const today = utcDate(0);
  const fortnights = Array.from({ length: Math.ceil(BOOKED_DAYS / 14) }, (_, k) => k * 14);
  await db.insert(availabilityExceptions).values([
    ...fortnights.map((day) => ({
      doctorId: SLOTS_DOCTOR_ID,
      kind: "TIME_OFF" as const,
      startDate: addDays(today, day + 3),
      endDate: addDays(today, day + 3),
    })),
    ...fortnights.map((day) => ({
      doctorId: SLOTS_DOCTOR_ID,
      kind: "EXTRA_HOURS" as const,
      startDate: addDays(today, day + 8),
      endDate: addDays(today, day + 8),
      startMinute: 1080,
      endMinute: 1200,
      slotMinutes: 30,
    })),
  ]);
  const [patientUser] = await db
    .insert(users)
    .values({
      email: "bench-slots-patient@example.com",
      role: "PATIENT",
      firstName: "Slots",
      lastName: "Patient",
    })
    .returning({ id: users.id });
  if (!patientUser) throw new Error("no patient user inserted");
  const [patient] = await db
    .insert(patients)
    .values({ userId: patientUser.id, dateOfBirth: "1990-01-01" })
    .returning({ id: patients.id });
  if (!patient) throw new Error("no patient inserted");
  const availability = {
    timezone: ZONE,
    defaultSlotMinutes: 30,
    rules: rules.map((r) => ({
      weekday: r.weekday,
      startTime: wallTime(r.startMinute),
      endTime: wallTime(r.endMinute),
      slotMinutes: r.slotMinutes,
      isActive: true,
    })),
    exceptions: [
      ...fortnights.map((day) => ({
        kind: "TIME_OFF" as const,
        startDate: addDays(today, day + 3),
        endDate: addDays(today, day + 3),
      })),
      ...fortnights.map((day) => ({
        kind: "EXTRA_HOURS" as const,
        startDate: addDays(today, day + 8),
        endDate: addDays(today, day + 8),
        startTime: "18:00",
        endTime: "20:00",
        slotMinutes: 30,
      })),
    ],
  };
  for (let from = 0; from < BOOKED_DAYS; from += 60) {
    const schedule = generateSlots({
      ...availability,
      from: addDays(today, from),
      to: addDays(today, Math.min(from + 59, BOOKED_DAYS - 1)),
      now: new Date(),
      minNoticeMinutes: 0,
      bookingHorizonDays: BOOKED_DAYS + 1,
      busy: [],
    });
    const booked = schedule.days.flatMap((day) => day.slots).filter((_, i) => i % 3 === 0);
    if (booked.length)
      await db.insert(appointments).values(
        booked.map((slot) => ({
          doctorId: SLOTS_DOCTOR_ID,
          patientId: patient.id,
          startsAt: slot.start,
          endsAt: slot.end,
          timezone: ZONE,
          createdBy: patientUser.id,
        })),
      );
  }
}

const wallTime = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** The race doctor, open every day from 08:00 to 18:00 in 30-minute slots, and 200 patients. */
async function seedRace(db: Database): Promise<void> {
  await doctorAccount(db, RACE_DOCTOR_ID, "race");
  await db.insert(availabilityRules).values(
    [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
      doctorId: RACE_DOCTOR_ID,
      weekday,
      startMinute: 480,
      endMinute: 1080,
      slotMinutes: 30,
    })),
  );
  // One hash for every patient: hashing 200 times would only slow the snapshot down.
  const passwordHash = await hash(normalizePassword(RACE_PASSWORD), {
    algorithm: 2, // Argon2id (a const enum the package declares, unreadable under isolated modules)
    memoryCost: ARGON2_COST.memoryKib,
    timeCost: ARGON2_COST.iterations,
    parallelism: ARGON2_COST.parallelism,
  });
  const accounts = await db
    .insert(users)
    .values(
      Array.from({ length: RACE_PATIENTS }, (_, i) => ({
        email: raceEmail(i),
        passwordHash,
        role: "PATIENT" as const,
        emailVerifiedAt: new Date(),
        firstName: "Race",
        lastName: `Patient ${i}`,
      })),
    )
    .returning({ id: users.id });
  await db.insert(patients).values(accounts.map(({ id }) => ({ userId: id, dateOfBirth: "1990-01-01" })));
}

// ---- The bare twin: plain SQL, the same pure slot functions. ----

const fail = (status: number, code: string, message: string): BareResponse => ({
  status,
  body: { success: false, data: null, message, error: { code } },
});

interface TwinDoctor {
  id: string;
  timezone: string;
  appointmentMinutes: number;
  minNoticeMinutes: number;
  bookingHorizonDays: number;
}

async function twinDoctor(query: BareQuery, id: string): Promise<TwinDoctor | undefined> {
  const [row] = await query(
    `select d.id, d.timezone, d.appointment_minutes, d.min_notice_minutes, d.booking_horizon_days
     from doctors d join users u on u.id = d.user_id where d.id = $1 and d.is_active and u.is_active`,
    [id],
  );
  if (!row) return undefined;
  return {
    id: String(row.id),
    timezone: String(row.timezone),
    appointmentMinutes: Number(row.appointment_minutes),
    minNoticeMinutes: Number(row.min_notice_minutes),
    bookingHorizonDays: Number(row.booking_horizon_days),
  };
}

const timeOf = (minute: unknown) => (minute === null ? null : wallTime(Number(minute)));

/** The doctor's hours between two dates as slot generation takes them: two statements. */
async function twinAvailability(query: BareQuery, doctor: TwinDoctor, from: string, to: string) {
  const rules = await query(
    `select weekday, start_minute, end_minute, slot_minutes from availability_rules
     where doctor_id = $1 and is_active order by week_minute`,
    [doctor.id],
  );
  const exceptions = await query(
    `select kind, start_date::text as start_date, end_date::text as end_date, start_minute, end_minute, slot_minutes
     from availability_exceptions where doctor_id = $1 and start_date <= $3 and end_date >= $2
     order by start_date, id`,
    [doctor.id, from, to],
  );
  return {
    timezone: doctor.timezone,
    defaultSlotMinutes: doctor.appointmentMinutes,
    rules: rules.map((r: Row) => ({
      weekday: Number(r.weekday),
      startTime: wallTime(Number(r.start_minute)),
      endTime: wallTime(Number(r.end_minute)),
      slotMinutes: Number(r.slot_minutes),
      isActive: true,
    })),
    exceptions: exceptions.map((e: Row) => ({
      kind: e.kind === "EXTRA_HOURS" ? ("EXTRA_HOURS" as const) : ("TIME_OFF" as const),
      startDate: String(e.start_date),
      endDate: String(e.end_date),
      startTime: timeOf(e.start_minute),
      endTime: timeOf(e.end_minute),
      slotMinutes: e.slot_minutes === null ? null : Number(e.slot_minutes),
    })),
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** GET /doctors/:id/availability/slots: the service's statements (doctor, hours, busy) and generateSlots. */
const bareSlots: BareRoute = {
  path: "/api/v1/doctors/:id/availability/slots",
  async handle({ query, url, params }) {
    const { addDays, generateSlots, localDateIn } = await apiModule();
    const from = url.searchParams.get("from") ?? "";
    const to = url.searchParams.get("to") ?? "";
    if (!DATE.test(from) || !DATE.test(to) || from > to)
      return fail(400, "VALIDATION_FAILED", "from and to: dates, from first");
    const doctor = await twinDoctor(query, params.id ?? "");
    if (!doctor) return fail(404, "NOT_FOUND", "Doctor not found");
    const now = new Date();
    // What can be bookable at all: yesterday to the horizon's day, in the doctor's zone.
    const first = addDays(localDateIn(doctor.timezone, now), -1);
    const last = addDays(
      localDateIn(doctor.timezone, new Date(now.getTime() + doctor.bookingHorizonDays * MS_PER_DAY)),
      1,
    );
    let lo = from;
    if (lo < first) lo = first;
    let hi = to;
    if (hi > last) hi = last;
    const [availability, busy] =
      lo <= hi
        ? await Promise.all([
            twinAvailability(query, doctor, addDays(lo, -2), addDays(hi, 2)),
            query(
              `select starts_at, ends_at from appointments where doctor_id = $1 and starts_at >= $2
               and starts_at < $3 and ends_at > $4 and status <> 'CANCELLED'`,
              [
                doctor.id,
                new Date(Date.parse(`${addDays(lo, -1)}T00:00:00Z`) - MS_PER_DAY).toISOString(),
                `${addDays(hi, 2)}T00:00:00Z`,
                `${addDays(lo, -1)}T00:00:00Z`,
              ],
            ),
          ])
        : [
            {
              timezone: doctor.timezone,
              defaultSlotMinutes: doctor.appointmentMinutes,
              rules: [],
              exceptions: [],
            },
            [],
          ];
    const schedule = generateSlots({
      ...availability,
      from,
      to,
      now,
      minNoticeMinutes: doctor.minNoticeMinutes,
      bookingHorizonDays: doctor.bookingHorizonDays,
      busy: busy.map((b: Row) => ({
        start: new Date(String(b.starts_at)),
        end: new Date(String(b.ends_at)),
      })),
    });
    return { status: 200, body: { success: true, data: schedule, message: null } };
  },
};

/** The database's refusals of an overlap, by constraint name, as the server maps them. */
function overlapCode(error: unknown): string | undefined {
  const facts = pgErrorFacts(error);
  if (facts?.code !== "23P01") return undefined;
  if (facts.constraint === "appointments_doctor_no_overlap") return "SLOT_TAKEN";
  if (facts.constraint === "appointments_patient_no_overlap") return "PATIENT_OVERLAP";
  return undefined;
}

/**
 * POST /appointments: the booking's rules in plain SQL in one transaction (the patient locked,
 * the doctor, their hours and findOfferedSlot, the window, the cap, the insert); the exclusion
 * constraint answers SLOT_TAKEN. No audit row, outbox event or full DTO.
 */
const bareBook: BareRoute = {
  method: "POST",
  path: BOOK_PATH,
  async handle({ transaction, body, headers, tokens }) {
    const claims = await verifyAccessToken(tokens, headers.authorization);
    if (!claims) return fail(401, "UNAUTHENTICATED", "Authentication required");
    if (!isObject(body) || typeof body.doctorId !== "string" || typeof body.startsAt !== "string")
      return fail(400, "VALIDATION_FAILED", "doctorId and startsAt are required");
    const { doctorId } = body;
    const startsAt = new Date(body.startsAt);
    if (Number.isNaN(startsAt.getTime())) return fail(400, "VALIDATION_FAILED", "startsAt: an instant");
    const { addDays, findOfferedSlot } = await apiModule();
    try {
      return await transaction(async (query) => {
        const [patient] = await query("select id from patients where user_id = $1 and is_active for update", [
          claims.sub,
        ]);
        if (!patient) return fail(409, "PROFILE_REQUIRED", "Create your profile first");
        const doctor = await twinDoctor(query, doctorId);
        if (!doctor) return fail(404, "NOT_FOUND", "Doctor not found");
        const now = Date.now();
        const at = startsAt.getTime();
        if (at < now + doctor.minNoticeMinutes * 60_000 || at > now + doctor.bookingHorizonDays * MS_PER_DAY)
          return fail(409, "OUTSIDE_BOOKING_WINDOW", "Outside the booking window");
        const date = startsAt.toISOString().slice(0, 10);
        const slot = findOfferedSlot(
          await twinAvailability(query, doctor, addDays(date, -3), addDays(date, 3)),
          startsAt,
        );
        if (!slot) return fail(409, "OUTSIDE_AVAILABILITY", "No slot starts then");
        const [held] = await query(
          `select count(*)::int as count from appointments where patient_id = $1 and doctor_id = $2
           and status = 'SCHEDULED' and starts_at > $3`,
          [String(patient.id), doctor.id, new Date(now).toISOString()],
        );
        if (Number(held?.count) >= 2) return fail(409, "BOOKING_CAP_REACHED", "Cap reached");
        const params: SqlParam[] = [
          doctor.id,
          String(patient.id),
          slot.start.toISOString(),
          slot.end.toISOString(),
          doctor.timezone,
          claims.sub,
        ];
        const [row] = await query(
          `insert into appointments (doctor_id, patient_id, starts_at, ends_at, timezone, created_by)
           values ($1, $2, $3, $4, $5, $6) returning id, status, starts_at, ends_at, created_at`,
          params,
        );
        return { status: 201, body: { success: true, data: row, message: "Appointment booked" } };
      });
    } catch (error) {
      const code = overlapCode(error);
      if (code) return fail(409, code, "Taken");
      throw error;
    }
  },
};

const dataOf = (answer: unknown): Readonly<Record<string, unknown>> | undefined =>
  isObject(answer) && isObject(answer.data) ? answer.data : undefined;

/**
 * A patient app opening a doctor's calendar: 30 days of a busy doctor (weekday mornings and
 * afternoons, Saturday mornings, a day off and extra hours every fortnight, a third of the slots
 * booked).
 */
export const doctorsSlots: Scenario = {
  name: "doctors.slots",
  description:
    `GET /api/v1/doctors/{id}/availability/slots for ${SLOT_DAYS} days from tomorrow: public rate limiter, ` +
    "the doctor, weekly hours and exceptions, the booked appointments (a third of the slots), generateSlots",
  targets: [{ path: `${slotsPath(SLOTS_DOCTOR_ID)}?from=${utcDate(1)}&to=${utcDate(SLOT_DAYS)}` }],
  // The dates are the day of the run, not of the module's load.
  async setup() {
    return [{ path: `${slotsPath(SLOTS_DOCTOR_ID)}?from=${utcDate(1)}&to=${utcDate(SLOT_DAYS)}` }];
  },
  bare: [bareSlots],
  // The target: p95 under 50 ms at 100 requests/s (and within 1.5× the twin's there).
  compareAt: { rate: 100, maxP95Ratio: 1.5, maxP95Ms: 50 },
  data: { version: 1, seed: seedSlotsDoctor },
};

/** Logs in `indices` on one server, a few at a time (the server queues argon2 work, then 429s). */
async function tokensOf(context: SetupContext, indices: readonly number[]): Promise<Map<number, string>> {
  const tokens = new Map<number, string>();
  const queue = [...indices];
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const token = dataOf(
        await context.postJson(LOGIN_PATH, { email: raceEmail(i), password: RACE_PASSWORD }),
      )?.accessToken;
      if (typeof token !== "string") throw new Error(`no access token for ${raceEmail(i)}`);
      tokens.set(i, token);
    }
  };
  await Promise.all([worker(), worker()]);
  return tokens;
}

/**
 * 200 patients booking one slot at once through two processes of the server on one database: the
 * exclusion constraint lets exactly one through, whatever process and transaction each lands on.
 */
export const appointmentsBook: Scenario = {
  name: "appointments.book",
  description: `POST /api/v1/appointments race: ${RACE_PATIENTS} patients (each signed in on one of two processes sharing one PostgreSQL database) book the same slot at once; one 201, every other 409 SLOT_TAKEN; a fresh slot per race`,
  targets: [],
  bare: [bareBook],
  race: {
    requests: RACE_PATIENTS,
    successes: 1,
    async prepare(processes, repetition) {
      const everyone = Array.from({ length: RACE_PATIENTS }, (_, i) => i);
      const [first, second] = await Promise.all(
        processes.map((context, p) =>
          tokensOf(
            context,
            everyone.filter((i) => i % 2 === p),
          ),
        ),
      );
      // 10:00 in Algiers (UTC+1 all year), two days ahead and one more per race: a free slot.
      const startsAt = new Date(`${utcDate(2 + repetition)}T10:00:00+01:00`).toISOString();
      const body = JSON.stringify({ doctorId: RACE_DOCTOR_ID, startsAt });
      return everyone.map((i): RaceRequest => {
        const process = i % 2 === 0 ? 0 : 1;
        const token = (process === 0 ? first : second)?.get(i);
        return {
          process,
          target: { path: BOOK_PATH, method: "POST", body, headers: { authorization: `Bearer ${token}` } },
        };
      });
    },
  },
  data: { version: 1, seed: seedRace },
};
