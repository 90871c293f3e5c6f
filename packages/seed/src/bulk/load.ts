import { type Database, selectRows } from "@medical/db";
import { type SQL, sql } from "drizzle-orm";
import {
  CITIES,
  CLINIC_KINDS,
  CLINIC_NAMES,
  COMMON_STREETS,
  EMERGENCY_RELATIONS,
  MOBILE_PREFIXES,
} from "../data/cities.ts";
import { NAMES } from "../data/names.ts";
import { SPECIALTIES } from "../data/specialties.ts";
import { ensureSpecialties, textArray } from "../specialties.ts";
import { APPOINTMENT_ID, uuidOf } from "./ids.ts";
import type { LoadProgress } from "./progress.ts";
import { insertRecords, type RecordSealer } from "./records.ts";

/** Generated accounts are `doctor.000123@load.demo.dz` / `patient.000123@load.demo.dz`. */
export const LOAD_DOMAIN = "load.demo.dz";
export const DEFAULT_BATCH_SIZE = 5_000;
/** From this size on, secondary indexes are dropped before the load and built after it. */
export const REBUILD_INDEXES_FROM = 10_000;

export interface BulkOptions {
  /** Doctors to add, and as many patients. */
  size: number;
  /** One argon2id hash shared by every generated account (hashing 200k passwords would take hours). */
  passwordHash: string;
  /** Seals the generated records' text for the server to read (records.ts); required: SQL cannot encrypt. */
  sealRecord: RecordSealer;
  /** Rows per INSERT … SELECT statement. */
  batchSize?: number;
  /** Drop the non-unique indexes of the loaded tables first and rebuild them after; default from 10k rows. */
  rebuildIndexes?: boolean;
  onProgress?: (progress: LoadProgress) => void;
}

export interface BulkResult {
  /** Numbers of the generated doctors (and patients): first..last, both included. */
  doctors: { first: number; last: number };
  patients: { first: number; last: number };
  /**
   * Appointments added: ten per doctor, and `busy` more for each of the load's first doctor and
   * first patient (the accounts a deep page of the views needs).
   */
  appointments: { total: number; busy: number };
  /**
   * Clinical records added, one per chosen completed visit (records.ts): `busy` of them the busy
   * doctor's, on every one of its completed visits.
   */
  records: { total: number; busy: number };
  /** Indexes dropped and rebuilt around the load. */
  rebuiltIndexes: string[];
  milliseconds: number;
}

const LOADED_TABLES = [
  "users",
  "doctors",
  "patients",
  "doctor_specialties",
  "appointments",
  "medical_records",
  "medical_record_versions",
] as const;
const KEYS_TRIGGER = "doctors_keys_on_write";

/** Weighted pools: Arabic names three times as likely as Kabyle ones, French ones the rarest. */
function namePool(part: "female" | "male" | "family"): string[] {
  return [
    ...NAMES.arabic[part],
    ...NAMES.arabic[part],
    ...NAMES.arabic[part],
    ...NAMES.kabyle[part],
    ...NAMES.french[part],
  ];
}

function weightedCities() {
  return CITIES.flatMap((city) => Array.from({ length: city.weight }, () => city));
}

/**
 * The lists the generator draws from, as one row of arrays in a temporary table that lives as long
 * as the load's transaction, so each batch statement carries only its range of numbers.
 */
function createPool(specialtyIds: Map<string, string>): SQL {
  const cities = weightedCities();
  const columns: [string, SQL][] = [
    ["female", textArray(namePool("female"))],
    ["male", textArray(namePool("male"))],
    ["family", textArray(namePool("family"))],
    ["cities", textArray(cities.map((c) => c.name))],
    ["areas", textArray(cities.map((c) => c.areaCode))],
    ["kabyle_cities", textArray(CITIES.filter((c) => c.kabyle).map((c) => c.name))],
    ["locales", textArray(["fr", "fr", "ar", "ar", "kab"])],
    ["mobiles", textArray(MOBILE_PREFIXES)],
    ["clinic_kinds", textArray(CLINIC_KINDS.filter((kind) => kind !== "Cabinet médical"))],
    ["clinic_names", textArray(CLINIC_NAMES)],
    ["streets", textArray(COMMON_STREETS)],
    ["specialty_ids", sql`${textArray(SPECIALTIES.map((s) => specialtyIds.get(s.name) ?? ""))}::uuid[]`],
    ["practitioners", textArray(SPECIALTIES.map((s) => s.practitioner))],
    ["relations_female", textArray(EMERGENCY_RELATIONS.female)],
    ["relations_male", textArray(EMERGENCY_RELATIONS.male)],
    ["minutes", textArray(["15", "20", "30", "30", "30", "45"])],
  ];
  return sql`create temporary table seed_load_pool on commit drop as select ${sql.join(
    columns.map(([name, value]) => sql`${value} as ${sql.identifier(name)}`),
    sql`, `,
  )}`;
}

// The generator's SQL vocabulary. Every value of row number g comes from hashint8extended(g, k), a
// stable hash (the one hash partitioning relies on), so a number always gives the same row.
/** A non-negative 63-bit hash of the row number, stream k. */
const h = (k: number) => `(hashint8extended(g, ${k}) & 9223372036854775807)`;
/** An element of one of the pool's arrays, chosen by stream k. */
const pick = (array: string, k: number) => `p.${array}[1 + (${h(k)} % cardinality(p.${array}))::int]`;
const mobile = (k: number) =>
  `'+213' || ${pick("mobiles", k)} || lpad((${h(k + 1)} % 10000000)::text, 7, '0')`;
const emailOf = (role: string) => `'${role}.' || lpad(g::text, 6, '0') || '@${LOAD_DOMAIN}'`;
const firstName = (female: string, k: number) =>
  `case when ${female} then ${pick("female", k)} else ${pick("male", k)} end`;

/**
 * One statement per batch: the doctors' accounts, their profiles (search and name keys computed
 * here with the trigger's own expressions, the trigger being off) and one or two specialties each.
 */
function insertDoctors(from: number, to: number, passwordHash: string): SQL {
  return sql`
    with d as (
      select g, ${sql.raw(uuidOf("doctor-user"))} as user_id, ${sql.raw(uuidOf("doctor"))} as id,
        ${sql.raw(emailOf("doctor"))} as email,
        ${sql.raw(firstName(`${h(1)} % 2 = 0`, 2))} as first_name,
        ${sql.raw(pick("family", 3))} as last_name,
        1 + (${sql.raw(h(4))} % cardinality(p.cities))::int as c,
        1 + (${sql.raw(h(5))} % cardinality(p.specialty_ids))::int as s1,
        case when ${sql.raw(h(6))} % 10 < 4 then 1 + (${sql.raw(h(7))} % cardinality(p.specialty_ids))::int end as s2,
        case when ${sql.raw(h(8))} % 4 = 0 then null else ${sql.raw(pick("clinic_kinds", 9))} || ' ' || ${sql.raw(pick("clinic_names", 10))} end as clinic
      from generate_series(${from}::int, ${to}::int) g cross join seed_load_pool p
    ),
    e as (
      select d.*, p.cities[c] as city, p.areas[c] as area,
        coalesce(clinic, 'Cabinet médical Dr ' || last_name) as clinic_name
      from d cross join seed_load_pool p
    ),
    new_users as (
      insert into users (id, email, password_hash, role, is_active, email_verified_at, first_name, last_name, phone, locale)
      select user_id, email, ${passwordHash}, 'DOCTOR', true, now(), first_name, last_name,
        ${sql.raw(mobile(11))}, ${sql.raw(pick("locales", 13))}
      from e cross join seed_load_pool p
    ),
    new_doctors as (
      insert into doctors (id, user_id, bio, years_of_experience, clinic_name, clinic_address, city,
        fee_amount_minor, languages, appointment_minutes, clinic_phone, rating_average, rating_count,
        search_key, name_key)
      select id, user_id, p.practitioners[s1] || ' à ' || city || '.',
        1 + ${sql.raw(h(14))} % 40, clinic_name,
        (1 + ${sql.raw(h(15))} % 120) || ', ' || ${sql.raw(pick("streets", 16))} || ', ' || city, city,
        150000 + (${sql.raw(h(17))} % 71) * 5000,
        array_remove(array['ar', 'fr',
          case when ${sql.raw(h(18))} % 100 < (case when city = any(p.kabyle_cities) then 70 else 12 end) then 'kab' end,
          case when ${sql.raw(h(19))} % 5 = 0 then 'en' end], null)::varchar[],
        ${sql.raw(pick("minutes", 20))}::smallint,
        '+213' || area || (100000 + ${sql.raw(h(21))} % 900000)::text,
        case when ${sql.raw(h(22))} % 100 < 12 then 0 else round(2.5 + (${sql.raw(h(23))} % 251) / 100.0, 2) end,
        case when ${sql.raw(h(22))} % 100 < 12 then 0 else 1 + ${sql.raw(h(24))} % 250 end,
        f_search_key(concat_ws(' ', first_name, last_name, clinic_name)),
        f_search_key(concat_ws(' ', last_name, first_name))
      from e cross join seed_load_pool p
    )
    insert into doctor_specialties (doctor_id, specialty_id)
    select id, p.specialty_ids[s1] from e cross join seed_load_pool p
    union all
    select id, p.specialty_ids[s2] from e cross join seed_load_pool p where s2 is not null and s2 <> s1`;
}

/** One statement per batch: the patients' accounts and their profiles (clinical data left empty). */
function insertPatients(from: number, to: number, passwordHash: string): SQL {
  return sql`
    with d as (
      select g, ${sql.raw(uuidOf("patient-user"))} as user_id, ${sql.raw(uuidOf("patient"))} as id,
        ${sql.raw(emailOf("patient"))} as email, ${sql.raw(h(1))} % 2 = 0 as is_female,
        ${sql.raw(firstName(`${h(1)} % 2 = 0`, 2))} as first_name,
        ${sql.raw(pick("family", 3))} as last_name,
        ${sql.raw(pick("cities", 4))} as city,
        date '1940-01-01' + (${sql.raw(h(14))} % 28850)::int as date_of_birth
      from generate_series(${from}::int, ${to}::int) g cross join seed_load_pool p
    ),
    new_users as (
      insert into users (id, email, password_hash, role, is_active, email_verified_at, first_name, last_name, phone, locale)
      select user_id, email, ${passwordHash}, 'PATIENT', true, now(), first_name, last_name,
        ${sql.raw(mobile(11))}, ${sql.raw(pick("locales", 13))}
      from d cross join seed_load_pool p
    )
    insert into patients (id, user_id, date_of_birth, sex, address_line, city, emergency_contact_name,
      emergency_contact_relation, emergency_contact_phone, show_name_on_reviews)
    select id, user_id, date_of_birth,
      case when is_female then 'FEMALE' else 'MALE' end,
      (1 + ${sql.raw(h(15))} % 200) || ', ' || ${sql.raw(pick("streets", 16))}, city,
      ${sql.raw(firstName(`${h(17)} % 2 = 0`, 18))} || ' ' || last_name,
      case when date_of_birth >= date '2008-01-01' then (case when ${sql.raw(h(17))} % 2 = 0 then 'Mère' else 'Père' end)
        when ${sql.raw(h(17))} % 2 = 0 then ${sql.raw(pick("relations_female", 19))} else ${sql.raw(pick("relations_male", 19))} end,
      ${sql.raw(mobile(20))}, ${sql.raw(h(22))} % 3 = 0
    from d cross join seed_load_pool p`;
}

// Appointments sit on a grid that keeps both exclusion constraints (no overlap per doctor, none
// per patient, drizzle/0009) without a single check. A day has 9 hourly slots, 07:00–15:00 UTC
// (08:00–16:00 in Algiers), and nothing lasts over 30 minutes. Every doctor but the load's first
// has 10 appointments, one per round k: round k is a block of 150 days, where the doctor takes the
// slot of its number and, at the full hour, the patient (number + k × STRIDE) mod (N − 1): within
// a round the doctors' patients are all different, so a patient, too, has one per round. The
// load's first doctor and first patient ("busy") have theirs at the half hour, one per slot, each
// with the others in turn; nobody else has a half-hour appointment, so none meets a full-hour one.
export const APPOINTMENTS_PER_DOCTOR = 10;
const SLOTS_PER_DAY = 9;
const BLOCK_DAYS = 150;
const BLOCK = SLOTS_PER_DAY * BLOCK_DAYS;
/** The grid spans 1,500 days, 1,000 before the day of the load (two thirds in the past). */
const PAST_DAYS = 1_000;
const STRIDE = 7_919;

/** Appointments of the busy doctor and of the busy patient: 12,500 each at --size 100,000. */
export function busyAppointments(size: number): number {
  return size < 2 ? 0 : Math.min(APPOINTMENTS_PER_DOCTOR * BLOCK, Math.ceil(size / 8));
}

/** Every appointment a load of `size` adds. */
export function appointmentCount(size: number): number {
  return size < 2 ? 0 : (size - 1) * APPOINTMENTS_PER_DOCTOR + 2 * busyAppointments(size);
}

interface Grid {
  firstDoctor: number;
  firstPatient: number;
  size: number;
}

/** Rows (g, kind, dn, pn, t, half) of the regular appointments of doctors `from`..`to`. */
function regularAppointments({ firstDoctor, firstPatient, size }: Grid, from: number, to: number): SQL {
  return sql`
    select dn::bigint * 64 + k as g, 'appointment' as kind, dn, ${firstPatient}::int + 1
      + ((dn - ${firstDoctor}::int - 1) + k * ${STRIDE}::int) % ${size - 1}::int as pn,
      k * ${BLOCK}::int + (dn - ${firstDoctor}::int - 1) % ${BLOCK}::int as t, false as half
    from generate_series(${from}::int, ${to}::int) dn cross join generate_series(0, ${APPOINTMENTS_PER_DOCTOR - 1}) k`;
}

/** Rows of the busy doctor's (`of: "doctor"`) or busy patient's appointments `from`..`to`. */
function busyAppointmentRows(
  { firstDoctor, firstPatient, size }: Grid,
  of: "doctor" | "patient",
  from: number,
  to: number,
): SQL {
  const other = sql`1 + m % ${size - 1}::int`;
  const [dn, pn] =
    of === "doctor"
      ? [sql`${firstDoctor}::int`, sql`${firstPatient}::int + ${other}`]
      : [sql`${firstDoctor}::int + ${other}`, sql`${firstPatient}::int`];
  const owner = of === "doctor" ? firstDoctor : firstPatient;
  return sql`
    select ${owner}::bigint * 1000000 + m as g, ${`appointment-busy-${of}`}::text as kind, ${dn} as dn, ${pn} as pn,
      m as t, true as half
    from generate_series(${from}::int, ${to}::int) m`;
}

/**
 * One statement per batch of grid rows: the appointments, with the doctor's zone and length (30
 * minutes at most), the past ones completed (a few missed or cancelled), the upcoming ones
 * scheduled (a few cancelled, by the patient or the doctor), booked by the patient days before.
 * No reason is written: the visits' records are all the encrypted text the load writes (records.ts).
 */
function insertAppointments(rows: SQL): SQL {
  return sql`
    with s as (${rows}),
    e as (
      select s.g, ${sql.raw(APPOINTMENT_ID)} as id, d.id as doctor_id, d.user_id as doctor_user, d.timezone,
        least(d.appointment_minutes, 30) as minutes,
        ${sql.raw(uuidOf("patient", "s.pn"))} as patient_id, ${sql.raw(uuidOf("patient-user", "s.pn"))} as patient_user,
        ((now() at time zone 'UTC')::date - ${PAST_DAYS}::int)::timestamp at time zone 'UTC'
          + (s.t / ${SLOTS_PER_DAY}) * interval '1 day' + (7 + s.t % ${SLOTS_PER_DAY}) * interval '1 hour'
          + case when s.half then interval '30 minutes' else interval '0 minutes' end as starts_at
      from s join doctors d on d.id = ${sql.raw(uuidOf("doctor", "s.dn"))}
    ),
    f as (
      select e.*, starts_at + minutes * interval '1 minute' as ends_at,
        case when starts_at < now()
          then case when ${sql.raw(h(1))} % 100 < 8 then 'CANCELLED' when ${sql.raw(h(1))} % 100 < 13 then 'NO_SHOW' else 'COMPLETED' end
          else case when ${sql.raw(h(1))} % 100 < 5 then 'CANCELLED' else 'SCHEDULED' end
        end as status,
        least(now(), starts_at - (1 + ${sql.raw(h(2))} % 30) * interval '1 day') as created_at,
        ${sql.raw(h(3))} % 2 = 0 as by_patient
      from e
    ),
    c as (
      select f.*, case when status = 'CANCELLED'
        then least(now(), greatest(created_at, starts_at - (1 + ${sql.raw(h(4))} % 48) * interval '1 hour')) end as cancelled_at
      from f
    )
    insert into appointments (id, doctor_id, patient_id, starts_at, ends_at, timezone, status, created_by,
      cancelled_by, cancelled_by_role, cancelled_at, created_at, updated_at)
    select id, doctor_id, patient_id, starts_at, ends_at, timezone, status, patient_user,
      case when cancelled_at is not null then case when by_patient then patient_user else doctor_user end end,
      case when cancelled_at is not null then case when by_patient then 'PATIENT' else 'DOCTOR' end end,
      cancelled_at, created_at,
      coalesce(cancelled_at, case when status = 'SCHEDULED' then created_at else least(now(), ends_at) end)
    from c`;
}

/** The highest number already generated for a role, so a second `--size` run continues after it. */
async function lastNumber(db: Database, role: "doctor" | "patient"): Promise<number> {
  const [row] = await selectRows(
    db,
    sql`select coalesce(max(substring(email from ${`^${role}\\.(\\d+)@`})::int), 0) as n
        from users where email like ${`${role}.%@${LOAD_DOMAIN}`}`,
  );
  return Number(row?.n ?? 0);
}

interface IndexDefinition {
  name: string;
  definition: string;
}

/** Non-unique indexes of the loaded tables that no constraint owns: safe to drop and rebuild. */
async function secondaryIndexes(db: Database): Promise<IndexDefinition[]> {
  const rows = await selectRows(
    db,
    sql`select ci.relname as name, pg_get_indexdef(ci.oid) as definition
        from pg_index x
        join pg_class ci on ci.oid = x.indexrelid
        join pg_class ct on ct.oid = x.indrelid
        join pg_namespace n on n.oid = ct.relnamespace
        where n.nspname = current_schema() and ct.relname = any(${textArray(LOADED_TABLES)})
          and not x.indisunique and not x.indisprimary
          and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
        order by ci.relname`,
  );
  return rows.map((row) => ({ name: String(row.name), definition: String(row.definition) }));
}

interface GridBatch {
  /** The batch's grid rows (g, kind, dn, pn, t, half), as SQL. */
  rows: SQL;
  appointments: number;
  of: "regular doctors" | "busy doctor" | "busy patient";
}

/**
 * The grid in batches: the regular doctors' rows `batchSize` doctors at a time, then the busy
 * doctor's and the busy patient's `batchSize × APPOINTMENTS_PER_DOCTOR` rows at a time.
 */
function gridBatches(grid: Grid, batchSize: number): GridBatch[] {
  const batches: GridBatch[] = [];
  for (let offset = 0; offset < grid.size - 1; offset += batchSize) {
    const from = grid.firstDoctor + 1 + offset;
    const count = Math.min(batchSize, grid.size - 1 - offset);
    batches.push({
      rows: regularAppointments(grid, from, from + count - 1),
      appointments: count * APPOINTMENTS_PER_DOCTOR,
      of: "regular doctors",
    });
  }
  const busy = busyAppointments(grid.size);
  const busyBatch = batchSize * APPOINTMENTS_PER_DOCTOR;
  for (const of of ["doctor", "patient"] as const) {
    for (let offset = 0; offset < busy; offset += busyBatch) {
      const count = Math.min(busyBatch, busy - offset);
      batches.push({
        rows: busyAppointmentRows(grid, of, offset, offset + count - 1),
        appointments: count,
        of: of === "doctor" ? "busy doctor" : "busy patient",
      });
    }
  }
  return batches;
}

async function inBatches(
  size: number,
  batchSize: number,
  run: (offset: number, count: number) => Promise<void>,
): Promise<void> {
  for (let offset = 0; offset < size; offset += batchSize)
    await run(offset, Math.min(batchSize, size - offset));
}

/**
 * Adds `size` generated doctors and as many patients with set-based inserts (INSERT … SELECT over
 * generate_series, `batchSize` rows a statement), numbered after the last generated ones, their
 * appointments (`appointmentCount(size)`: about 10 per doctor, the first doctor and the first
 * patient with `busyAppointments(size)` each, on the grid above) and the clinical records of some
 * of the completed ones (records.ts: all of the first doctor's, one in ten elsewhere). In one
 * transaction: the search-key trigger is disabled for it (the keys are computed in the insert),
 * large loads drop the secondary indexes and build them once at the end, and any failure rolls
 * everything back, trigger and indexes included. Then VACUUM (ANALYZE). Other sessions wait on the tables'
 * locks meanwhile: this is for development and benchmark databases.
 */
export async function loadBulk(db: Database, options: BulkOptions): Promise<BulkResult> {
  const started = performance.now();
  const { size, passwordHash, onProgress } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a positive integer, got ${size}`);
  const rebuild = options.rebuildIndexes ?? size >= REBUILD_INDEXES_FROM;
  const firstDoctor = (await lastNumber(db, "doctor")) + 1;
  const firstPatient = (await lastNumber(db, "patient")) + 1;
  const busy = busyAppointments(size);
  const records = { total: 0, busy: 0 };

  const rebuilt = await db.transaction(async (tx) => {
    // The batch statements are cheap per row but large; unanalysed they look huge to the planner,
    // and PostgreSQL's JIT then spends ~1 s compiling each one (most of the time of a batch).
    await tx.execute(sql`set local jit = off`);
    const { ids } = await ensureSpecialties(tx, SPECIALTIES);
    await tx.execute(createPool(ids));
    await tx.execute(sql`analyze seed_load_pool`);
    const indexes = rebuild ? await secondaryIndexes(tx) : [];
    for (const index of indexes) await tx.execute(sql`drop index ${sql.identifier(index.name)}`);
    await tx.execute(sql`alter table doctors disable trigger ${sql.identifier(KEYS_TRIGGER)}`);

    await inBatches(size, batchSize, async (offset, count) => {
      await tx.execute(insertDoctors(firstDoctor + offset, firstDoctor + offset + count - 1, passwordHash));
      onProgress?.({ phase: "doctors", done: offset + count, total: size });
    });
    await inBatches(size, batchSize, async (offset, count) => {
      await tx.execute(
        insertPatients(firstPatient + offset, firstPatient + offset + count - 1, passwordHash),
      );
      onProgress?.({ phase: "patients", done: offset + count, total: size });
    });

    const batches = gridBatches({ firstDoctor, firstPatient, size }, batchSize);
    const totalAppointments = appointmentCount(size);
    let loaded = 0;
    for (const batch of batches) {
      await tx.execute(insertAppointments(batch.rows));
      loaded += batch.appointments;
      onProgress?.({ phase: "appointments", done: loaded, total: totalAppointments });
    }
    // Then the records of the visits just written, batch by batch over the same grid rows.
    let examined = 0;
    for (const batch of batches) {
      const written = await insertRecords(tx, batch.rows, options.sealRecord);
      records.total += written;
      if (batch.of === "busy doctor") records.busy += written;
      examined += batch.appointments;
      onProgress?.({ phase: "records", done: examined, total: totalAppointments });
    }

    await tx.execute(sql`alter table doctors enable trigger ${sql.identifier(KEYS_TRIGGER)}`);
    for (const [i, index] of indexes.entries()) {
      onProgress?.({ phase: "indexes", done: i, total: indexes.length });
      await tx.execute(sql.raw(index.definition));
    }
    if (indexes.length) onProgress?.({ phase: "indexes", done: indexes.length, total: indexes.length });
    return indexes.map((index) => index.name);
  });

  // VACUUM as well as ANALYZE: it sets the visibility map (index-only scans skip the heap) and the
  // rows' hint bits, which the first readers of a fresh load would otherwise write (the bench's
  // snapshot is copied before anyone reads it). Outside the transaction, as VACUUM requires.
  onProgress?.({ phase: "vacuum", done: 0, total: 1 });
  await db.execute(sql.raw(`vacuum (analyze) ${LOADED_TABLES.join(", ")}`));
  onProgress?.({ phase: "vacuum", done: 1, total: 1 });
  return {
    doctors: { first: firstDoctor, last: firstDoctor + size - 1 },
    patients: { first: firstPatient, last: firstPatient + size - 1 },
    appointments: { total: appointmentCount(size), busy },
    records,
    rebuiltIndexes: rebuilt,
    milliseconds: Math.round(performance.now() - started),
  };
}
