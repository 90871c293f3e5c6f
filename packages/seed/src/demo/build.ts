import {
  CITIES,
  type CityData,
  CLINIC_KINDS,
  CLINIC_NAMES,
  EMERGENCY_RELATIONS,
  MOBILE_PREFIXES,
} from "../data/cities.ts";
import { NAMES, type Origin } from "../data/names.ts";
import { REVIEW_COMMENTS } from "../data/reviews.ts";
import { SPECIALTIES } from "../data/specialties.ts";
import { createRandom, digits, type Random, slug } from "../random.ts";

/** Changing it changes every demo row that does not exist yet; existing rows are never touched. */
export const DEMO_SEED = 0x213;
export const DEMO_DOMAIN = "demo.clinic.dz";
export const DEMO_PASSWORD = "Algeria123!";
export const DEMO_DOCTORS = 30;
export const DEMO_PATIENTS = 30;
/** The reviews' own stream: adding or changing reviews changes no demo person. */
const REVIEWS_SEED = DEMO_SEED + 1;

type Sex = "FEMALE" | "MALE";

/** Born on or after this date, a patient is a minor in the demo's year (2026). */
export const MINOR_BORN_FROM = "2008-01-01";

export interface DemoUser {
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  locale: string;
}

export interface DemoDoctor {
  user: DemoUser;
  profile: {
    bio: string;
    yearsOfExperience: number;
    clinicName: string;
    clinicAddress: string;
    city: string;
    feeAmountMinor: number;
    languages: string[];
    appointmentMinutes: number;
    clinicPhone: string;
  };
  /** Specialty names (natural keys). */
  specialties: string[];
}

export interface DemoPatient {
  user: DemoUser;
  profile: {
    dateOfBirth: string;
    sex: Sex;
    addressLine: string;
    city: string;
    emergencyContactName: string;
    emergencyContactRelation: string;
    emergencyContactPhone: string;
    showNameOnReviews: boolean;
  };
}

export const REVIEW_RATINGS = [2, 3, 4, 5] as const;
type Rating = (typeof REVIEW_RATINGS)[number];

export interface DemoReview {
  /** The doctor's and the reviewing patient's e-mails (natural keys). */
  doctorEmail: string;
  patientEmail: string;
  rating: Rating;
  comment: string | null;
  /** Written this many days before the seed runs (1–320), at this minute of that day (UTC). */
  daysAgo: number;
  minuteOfDay: number;
}

export interface DemoData {
  specialties: typeof SPECIALTIES;
  doctors: DemoDoctor[];
  patients: DemoPatient[];
  /** The clinic's front desk: STAFF accounts, without a profile. */
  staff: DemoUser[];
  reviews: DemoReview[];
  /** The account of each role `pnpm seed` prints (and the README signs in with), besides the admin. */
  signIn: { DOCTOR: string; PATIENT: string; STAFF: string };
}

export const mobilePhone = (random: Random) => `+213${random.pick(MOBILE_PREFIXES)}${digits(random, 7)}`;
const landline = (random: Random, city: CityData) =>
  `+213${city.areaCode}${random.int(1, 9)}${digits(random, 5)}`;

/** Kabyle-speaking cities get mostly Kabyle names; French names are a minority everywhere. */
function originIn(random: Random, city: CityData): Origin {
  const roll = random.next();
  if (city.kabyle) return roll < 0.75 ? "kabyle" : roll < 0.9 ? "arabic" : "french";
  return roll < 0.75 ? "arabic" : roll < 0.88 ? "kabyle" : "french";
}

interface Person {
  firstName: string;
  lastName: string;
  sex: Sex;
  origin: Origin;
}

function person(random: Random, city: CityData): Person {
  const origin = originIn(random, city);
  const pool = NAMES[origin];
  const sex: Sex = random.chance(0.5) ? "FEMALE" : "MALE";
  return {
    firstName: random.pick(sex === "FEMALE" ? pool.female : pool.male),
    lastName: random.pick(pool.family),
    sex,
    origin,
  };
}

/** firstname.lastname@demo.clinic.dz, with a number when two demo people share both names. */
function uniqueEmail(taken: Set<string>, who: Person): string {
  const base = `${slug(who.firstName)}.${slug(who.lastName)}`;
  let email = `${base}@${DEMO_DOMAIN}`;
  for (let n = 2; taken.has(email); n += 1) email = `${base}${n}@${DEMO_DOMAIN}`;
  taken.add(email);
  return email;
}

/** A demo person's account: a unique address, a mobile number, the locale of their names. */
function demoUser(random: Random, taken: Set<string>, who: Person): DemoUser {
  return {
    email: uniqueEmail(taken, who),
    firstName: who.firstName,
    lastName: who.lastName,
    phone: mobilePhone(random),
    locale: NAMES[who.origin].locale,
  };
}

const ANCHOR: Person = { firstName: "Amina", lastName: "Benali", sex: "FEMALE", origin: "arabic" };

function languagesOf(random: Random, who: Person, city: CityData): string[] {
  const languages = ["ar", "fr"];
  if (who.origin === "kabyle" || (city.kabyle && random.chance(0.6))) languages.push("kab");
  if (random.chance(0.25)) languages.push("en");
  return languages;
}

function doctor(random: Random, index: number, taken: Set<string>): DemoDoctor {
  const city = CITIES[index % CITIES.length] ?? CITIES[0]!;
  const who = index === 0 ? ANCHOR : person(random, city);
  // Every specialty three times, in a different city each time.
  const primary = SPECIALTIES[(index * 7 + Math.floor(index / CITIES.length)) % SPECIALTIES.length]!;
  const specialties = [primary.name];
  if (random.chance(0.3)) {
    const second = random.pick(SPECIALTIES);
    if (second.name !== primary.name) specialties.push(second.name);
  }
  const years = random.int(3, 35);
  const kind = random.pick(CLINIC_KINDS);
  const clinicName =
    kind === "Cabinet médical" ? `${kind} Dr ${who.lastName}` : `${kind} ${random.pick(CLINIC_NAMES)}`;
  const languages = languagesOf(random, who, city);
  return {
    user: demoUser(random, taken, who),
    profile: {
      bio: `${primary.practitioner} à ${city.name} depuis ${2026 - years}. ${primary.description}.`,
      yearsOfExperience: years,
      clinicName,
      clinicAddress: `${random.int(1, 120)}, ${random.pick(city.streets)}, ${city.name}`,
      city: city.name,
      // 1,500 to 5,000 DZD in steps of 500 DZD, in minor units (centimes).
      feeAmountMinor: random.int(3, 10) * 50_000,
      languages,
      appointmentMinutes: random.pick([15, 20, 30, 30, 30, 45]),
      clinicPhone: landline(random, city),
    },
    specialties,
  };
}

function isoDate(random: Random, fromYear: number, toYear: number): string {
  const year = random.int(fromYear, toYear);
  const month = random.int(1, 12);
  const day = random.int(1, 28);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function patient(random: Random, index: number, taken: Set<string>): DemoPatient {
  const city = CITIES[index % CITIES.length] ?? CITIES[0]!;
  const who = person(random, city);
  const contactSex: Sex = random.chance(0.5) ? "FEMALE" : "MALE";
  const pool = NAMES[who.origin];
  const dateOfBirth = isoDate(random, 1950, 2018);
  // A minor's emergency contact is a parent.
  const relations = EMERGENCY_RELATIONS[contactSex === "FEMALE" ? "female" : "male"];
  const relation = dateOfBirth >= MINOR_BORN_FROM ? relations[0] : random.pick(relations);
  return {
    user: demoUser(random, taken, who),
    profile: {
      dateOfBirth,
      sex: who.sex,
      addressLine: `${random.int(1, 200)}, ${random.pick(city.streets)}`,
      city: city.name,
      emergencyContactName: `${random.pick(contactSex === "FEMALE" ? pool.female : pool.male)} ${who.lastName}`,
      emergencyContactRelation: relation,
      emergencyContactPhone: mobilePhone(random),
      showNameOnReviews: random.chance(0.4),
    },
  };
}

const FRONT_DESK: Person = { firstName: "Karima", lastName: "Belkacem", sex: "FEMALE", origin: "arabic" };

/**
 * A few doctors are new (no review yet); the others get 2–8 reviews from distinct adult patients,
 * half of them from the doctor's city, rated around a standing of the doctor's own (2.6–4.9), so
 * averages spread and `minRating` and `sort=rating` have something to sort. About one in seven
 * gives a rating without a comment; a doctor never gets the same comment twice.
 */
function reviews(doctors: DemoDoctor[], patients: DemoPatient[]): DemoReview[] {
  const random = createRandom(REVIEWS_SEED);
  const adults = patients.filter((p) => p.profile.dateOfBirth < MINOR_BORN_FROM);
  const written: DemoReview[] = [];
  for (const doctor of doctors) {
    if (random.chance(0.1)) continue;
    const standing = 2.6 + random.next() * 2.3;
    const neighbours = adults.filter((p) => p.profile.city === doctor.profile.city);
    const reviewers = new Set<DemoPatient>();
    const count = random.int(2, 8);
    while (reviewers.size < count) {
      reviewers.add(random.pick(neighbours.length && random.chance(0.5) ? neighbours : adults));
    }
    const used = new Set<string>();
    for (const reviewer of reviewers) {
      const score = Math.min(Math.max(Math.round(standing + random.next() * 1.6 - 0.8), 2), 5);
      const rating = REVIEW_RATINGS[score - 2]!;
      const fresh = REVIEW_COMMENTS[rating].filter((comment) => !used.has(comment));
      const comment = fresh.length && !random.chance(0.15) ? random.pick(fresh) : null;
      if (comment) used.add(comment);
      written.push({
        doctorEmail: doctor.user.email,
        patientEmail: reviewer.user.email,
        rating,
        comment,
        daysAgo: random.int(1, 320),
        minuteOfDay: random.int(8 * 60, 20 * 60),
      });
    }
  }
  return written;
}

/** The whole demo set, computed from DEMO_SEED alone: the same on every run. */
export function buildDemoData(): DemoData {
  const random = createRandom(DEMO_SEED);
  const taken = new Set<string>();
  const doctors = Array.from({ length: DEMO_DOCTORS }, (_, i) => doctor(random, i, taken));
  const patients = Array.from({ length: DEMO_PATIENTS }, (_, i) => patient(random, i, taken));
  // After the patients, so adding the front desk changed no one generated before it.
  const staff = [demoUser(random, taken, FRONT_DESK)];
  // An adult who shows their name, so the reviews they write read "Amina H.", not "Verified patient".
  const patientSignIn = patients.find(
    (p) => p.profile.dateOfBirth < MINOR_BORN_FROM && p.profile.showNameOnReviews,
  );
  const [doctorSignIn] = doctors;
  const [staffSignIn] = staff;
  if (!patientSignIn || !doctorSignIn || !staffSignIn) throw new Error("the demo set lacks a sign-in");
  return {
    specialties: SPECIALTIES,
    doctors,
    patients,
    staff,
    reviews: reviews(doctors, patients),
    signIn: {
      DOCTOR: doctorSignIn.user.email,
      PATIENT: patientSignIn.user.email,
      STAFF: staffSignIn.email,
    },
  };
}
