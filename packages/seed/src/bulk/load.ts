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
import type { LoadProgress } from "./progress.ts";

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
  /** Indexes dropped and rebuilt around the load. */
  rebuiltIndexes: string[];
  milliseconds: number;
}

const LOADED_TABLES = ["users", "doctors", "patients", "doctor_specialties"] as const;
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
/** A version-4-shaped UUID from the row number, so zod's z.uuid() accepts it in paths and cursors. */
const uuidOf = (kind: string) =>
  `overlay(overlay(md5('medical-load:${kind}:' || g) placing '4' from 13) placing '8' from 17)::uuid`;
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
 * generate_series, `batchSize` rows a statement), numbered after the last generated ones. In one
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
    rebuiltIndexes: rebuilt,
    milliseconds: Math.round(performance.now() - started),
  };
}
