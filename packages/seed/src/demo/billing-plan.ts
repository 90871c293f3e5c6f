import { addDays, coveredShare, localDateIn } from "@medical/api";
import {
  CAAR,
  CASNOS,
  CHRONIC_CARE_SPECIALTIES,
  CHRONIC_COVERAGE,
  CLAIM_REJECTIONS,
  CNAS,
  COMPLEMENTARY_COVERAGE,
  COMPLEMENTARY_INSURERS,
  FUND_COVERAGE,
  GENERAL_CONSULTATION,
  type Insurer,
  SPECIALTY_BILLING,
  VOID_REASONS,
} from "../data/billing.ts";
import { CITIES } from "../data/cities.ts";
import { fits } from "../data/records.ts";
import { createRandom, type Random } from "../random.ts";
import { DEMO_SEED, type DemoData, type DemoPatient, MINOR_BORN_FROM } from "./build.ts";

/** Billing's own streams: changing what it draws changes no person, visit or record. */
const POLICIES_SEED = DEMO_SEED + 2;
const ENTRIES_SEED = DEMO_SEED + 3;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Patients with a visit who have a social security fund on file; the others pay their bills alone. */
const INSURED_SHARE = 0.85;
const CASNOS_SHARE = 0.25;
/** Of those seen in a chronic-care specialty, the share covered in full. */
const CHRONIC_SHARE = 0.6;
/** Of those the fund covers at 80 %, the share with a complementary insurer too. */
const COMPLEMENTARY_SHARE = 0.4;
/** Visits with an act billed besides the consultation. */
const ACT_SHARE = 0.4;
const VOID_SHARE = 0.03;
/** Bills never paid, overdue, besides those too recent to be. */
const OVERDUE_SHARE = 0.06;
/** Bills paid at the desk right after the visit; the others later. */
const PAID_AT_VISIT_SHARE = 0.45;
const PAYMENT_TERM_DAYS = 15;
/** Bills the desk claims from the patient's fund (all of the README's patient's). */
const CLAIMED_SHARE = 0.75;
const FUND_REJECTION_SHARE = 0.12;
/** Fund payments a complementary claim is sent after, with the fund's statement. */
const COMPLEMENTED_SHARE = 0.8;
const COMPLEMENTARY_REJECTION_SHARE = 0.08;

/** A completed demo visit as billing reads it. */
export interface BillableVisit {
  appointmentId: string;
  patientId: string;
  doctorEmail: string;
  patientEmail: string;
  startsAt: Date;
  endsAt: Date;
  /** The appointment's zone: its dates (service, issue, payment) are read in it. */
  timezone: string;
  /** The doctor's fee now: the consultation's price. */
  fee: { amountMinor: number; currency: string };
  /** A billing entry names it already (an entry's natural key): the seed writes it no other. */
  billed: boolean;
}

export interface PolicyTerms {
  provider: string;
  policyNumber: string;
  coveragePercent: number;
  validFrom: string;
  validTo: string | null;
}

export interface PolicyPlan {
  /** A patient's policy's natural key: one policy per patient and insurer. */
  key: string;
  patientId: string;
  terms: PolicyTerms;
  /** At the front desk, at the patient's first visit, just before its bill. */
  registeredAt: Date;
  /** When the patient dropped it (the desk deactivates it); null when it stays. */
  deactivatedAt: Date | null;
}

export interface ClaimPlan {
  policyKey: string;
  amountMinor: number;
  submittedAt: Date;
  decidedAt: Date;
  decision: { status: "APPROVED" } | { status: "REJECTED"; reason: string };
  /** When the insurer paid an approved claim. */
  paidAt: Date | null;
}

export interface EntryPlan {
  visit: BillableVisit;
  amountMinor: number;
  description: string;
  issueDate: string;
  dueDate: string;
  settlement:
    | { status: "PAID"; at: Date; paidDate: string }
    | { status: "VOID"; at: Date; description: string }
    | null;
  /** In order: a complementary's claim follows the fund's payment. */
  claims: ClaimPlan[];
}

export interface BillingPlan {
  policies: PolicyPlan[];
  entries: EntryPlan[];
}

export const policyKey = (patientId: string, provider: string) => `${patientId}/${provider}`;

const serviceDate = (visit: BillableVisit) => localDateIn(visit.timezone, visit.startsAt);

/** The first working day (Sunday to Thursday, in `zone`) at or after `instant`, at the same hour. */
function workingDay(zone: string, instant: Date): Date {
  let at = instant;
  while ([5, 6].includes(new Date(`${localDateIn(zone, at)}T00:00:00Z`).getUTCDay()))
    at = new Date(at.getTime() + DAY_MS);
  return at;
}

const daysAfter = (visit: BillableVisit, instant: Date, days: number) =>
  workingDay(visit.timezone, new Date(instant.getTime() + days * DAY_MS));

/**
 * One patient's cover, fund first: a fund (CNAS or CASNOS) for most, at 100 % for some seen in
 * chronic care, and for some at 80 % a complementary insurer too. The README's patient has CNAS at
 * 80 % and a CAAR complementary that lapsed the day before her last visit. With `mayDrop`, a
 * patient with a complementary and three visits or more dropped it at the last one.
 */
function coverOf(
  random: Random,
  demo: DemoData,
  patient: DemoPatient,
  visits: BillableVisit[],
  mayDrop: boolean,
): PolicyPlan[] {
  const draws = {
    insured: random.chance(INSURED_SHARE),
    casnos: random.chance(CASNOS_SHARE),
    chronic: random.chance(CHRONIC_SHARE),
    fundYears: random.int(1, 15),
    complementary: random.chance(COMPLEMENTARY_SHARE),
    insurer: random.pick(COMPLEMENTARY_INSURERS),
    percent: random.pick(COMPLEMENTARY_COVERAGE),
    complementaryDays: random.int(30, 700),
  };
  const [first] = visits;
  const last = visits.at(-1);
  const readme = patient.user.email === demo.signIn.PATIENT;
  if (!first || !last || !(readme || draws.insured)) return [];
  const { patientId } = first;
  const wilaya = CITIES.find((city) => city.name === patient.profile.city)?.wilaya ?? "16";
  const policy = (
    insurer: Insurer,
    terms: Omit<PolicyTerms, "provider" | "policyNumber">,
    deactivatedAt: Date | null = null,
  ): PolicyPlan => ({
    key: policyKey(patientId, insurer.provider),
    patientId,
    terms: {
      provider: insurer.provider,
      policyNumber: insurer.number(random, wilaya, Number(terms.validFrom.slice(0, 4))),
      ...terms,
    },
    registeredAt: new Date(first.endsAt.getTime() - MINUTE_MS),
    deactivatedAt,
  });
  const chronicCare = visits.some((visit) => {
    const doctor = demo.doctors.find((d) => d.user.email === visit.doctorEmail);
    return CHRONIC_CARE_SPECIALTIES.includes(doctor?.specialties[0] ?? "");
  });
  const coveragePercent = !readme && chronicCare && draws.chronic ? CHRONIC_COVERAGE : FUND_COVERAGE;
  const fundFrom = addDays(serviceDate(first), -365 * draws.fundYears);
  const fund = policy(!readme && draws.casnos ? CASNOS : CNAS, {
    coveragePercent,
    // Never before birth: a child is on a parent's number from then.
    validFrom: [fundFrom, patient.profile.dateOfBirth].sort()[1] ?? fundFrom,
    validTo: null,
  });
  if (coveragePercent === CHRONIC_COVERAGE || !(readme || draws.complementary)) return [fund];
  const validFrom = addDays(serviceDate(first), -draws.complementaryDays);
  const lapsed = addDays(serviceDate(last), -1);
  const complementary = policy(
    readme ? CAAR : draws.insurer,
    {
      coveragePercent: readme ? 100 : draws.percent,
      validFrom,
      validTo: readme && lapsed >= validFrom ? lapsed : null,
    },
    mayDrop && visits.length >= 3 ? new Date(last.endsAt.getTime() - MINUTE_MS) : null,
  );
  return [fund, complementary];
}

function planPolicies(demo: DemoData, byPatient: Map<string, BillableVisit[]>): PolicyPlan[] {
  const random = createRandom(POLICIES_SEED);
  const plans: PolicyPlan[] = [];
  let dropped = false;
  // Every demo patient draws, with visits or not: a patient's cover depends on nobody else's visits.
  for (const patient of demo.patients) {
    const visits = byPatient.get(patient.user.email) ?? [];
    const mayDrop = !dropped && patient.user.email !== demo.signIn.PATIENT;
    const cover = coverOf(random, demo, patient, visits, mayDrop);
    dropped ||= cover.some((policy) => policy.deactivatedAt !== null);
    plans.push(...cover);
  }
  return plans;
}

/** Whether the policy takes a claim for the visit submitted at `at`: the service's POLICY_NOT_VALID rule. */
function takes(policy: PolicyPlan, visit: BillableVisit, at: Date): boolean {
  const date = serviceDate(visit);
  const { validFrom, validTo } = policy.terms;
  return (
    date >= validFrom &&
    (validTo === null || date <= validTo) &&
    (policy.deactivatedAt === null || at < policy.deactivatedAt)
  );
}

/** A claim for `amountMinor`, decided 10–30 days after (rejected now and then), paid 7–25 days after approval. */
function claimOf(
  random: Random,
  visit: BillableVisit,
  policy: PolicyPlan,
  amountMinor: number,
  submittedAt: Date,
  rejectionShare: number,
): ClaimPlan {
  const decidedAt = daysAfter(visit, submittedAt, random.int(10, 30));
  const rejected = random.chance(rejectionShare);
  const reason = random.pick(CLAIM_REJECTIONS);
  const paidAt = daysAfter(visit, decidedAt, random.int(7, 25));
  return {
    policyKey: policy.key,
    amountMinor,
    submittedAt,
    decidedAt,
    decision: rejected ? { status: "REJECTED", reason } : { status: "APPROVED" },
    paidAt: rejected ? null : paidAt,
  };
}

/**
 * The claims of one bill: to the patient's fund 1–4 days after the visit, for all it covers;
 * once the fund has paid, to the complementary for what is left of its share.
 */
function claimsOf(
  random: Random,
  visit: BillableVisit,
  amountMinor: number,
  cover: PolicyPlan[],
  always: boolean,
): ClaimPlan[] {
  const submittedAt = daysAfter(visit, visit.endsAt, random.int(1, 4));
  const [fund, complementary] = cover; // fund first (coverOf)
  if (!(random.chance(CLAIMED_SHARE) || always) || !fund || !takes(fund, visit, submittedAt)) return [];
  const first = claimOf(
    random,
    visit,
    fund,
    coveredShare(amountMinor, fund.terms.coveragePercent),
    submittedAt,
    FUND_REJECTION_SHARE,
  );
  const complemented = random.chance(COMPLEMENTED_SHARE);
  const laterAt = first.paidAt && daysAfter(visit, first.paidAt, random.int(2, 10));
  if (!complementary || !laterAt || !complemented || !takes(complementary, visit, laterAt)) return [first];
  const rest = coveredShare(amountMinor, complementary.terms.coveragePercent) - first.amountMinor;
  if (rest < 1) return [first];
  return [first, claimOf(random, visit, complementary, rest, laterAt, COMPLEMENTARY_REJECTION_SHARE)];
}

/**
 * One visit's bill, issued at its end: the consultation at the doctor's fee, with an act of the
 * specialty that fits the patient now and then; paid at the desk or in the weeks after, a few
 * never (overdue), a very few voided; and its claims.
 */
function entryOf(
  random: Random,
  demo: DemoData,
  visit: BillableVisit,
  cover: PolicyPlan[],
): EntryPlan | undefined {
  const doctor = demo.doctors.find((d) => d.user.email === visit.doctorEmail);
  const patient = demo.patients.find((p) => p.user.email === visit.patientEmail);
  const billing = SPECIALTY_BILLING[doctor?.specialties[0] ?? ""] ?? GENERAL_CONSULTATION;
  const subject = {
    sex: patient?.profile.sex ?? "UNKNOWN",
    minor: (patient?.profile.dateOfBirth ?? "") >= MINOR_BORN_FROM,
  };
  const acts = billing.acts.filter((act) => fits(act, subject));
  const act = random.chance(ACT_SHARE) && acts.length ? random.pick(acts) : undefined;
  // The acts' prices are in dinars: a fee in another currency is billed alone.
  const amountMinor = visit.fee.amountMinor + (act && visit.fee.currency === "DZD" ? act.priceMinor : 0);
  if (amountMinor < 1) return undefined;
  const doctorName = doctor ? `, Dr ${doctor.user.firstName} ${doctor.user.lastName}` : "";
  const description = `${billing.consultation}${doctorName}${act ? ` ; ${act.label}` : ""}`;
  const issueDate = localDateIn(visit.timezone, visit.endsAt);
  const fate = random.next();
  const paidAt = random.chance(PAID_AT_VISIT_SHARE)
    ? new Date(visit.endsAt.getTime() + 10 * MINUTE_MS)
    : daysAfter(visit, visit.endsAt, random.int(1, 20));
  const voidedAt = daysAfter(visit, visit.endsAt, random.int(1, 3));
  const voidReason = random.pick(VOID_REASONS);
  const settlement: EntryPlan["settlement"] =
    fate < VOID_SHARE
      ? { status: "VOID", at: voidedAt, description: `${description} — ${voidReason}` }
      : fate < VOID_SHARE + OVERDUE_SHARE
        ? null
        : { status: "PAID", at: paidAt, paidDate: localDateIn(visit.timezone, paidAt) };
  const readme = visit.patientEmail === demo.signIn.PATIENT;
  return {
    visit,
    amountMinor,
    description,
    issueDate,
    dueDate: addDays(issueDate, PAYMENT_TERM_DAYS),
    settlement,
    // A void bill is owed nothing: nothing to claim.
    claims: settlement?.status === "VOID" ? [] : claimsOf(random, visit, amountMinor, cover, readme),
  };
}

/**
 * The demo's billing, from its completed visits alone (whatever the run's date): who is insured
 * with whom, and each visit's bill and claims with the time of every act. Acts after the run's
 * time are for the writer to leave out, which makes recent bills unpaid and recent claims pending.
 */
export function planBilling(demo: DemoData, visits: BillableVisit[]): BillingPlan {
  const byPatient = new Map<string, BillableVisit[]>();
  const chronological = [...visits].sort(
    (a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.appointmentId.localeCompare(b.appointmentId),
  );
  for (const visit of chronological)
    byPatient.set(visit.patientEmail, [...(byPatient.get(visit.patientEmail) ?? []), visit]);
  const policies = planPolicies(demo, byPatient);
  const random = createRandom(ENTRIES_SEED);
  // By pair, not by date: a pair draws the same whichever day its visit fell on.
  const byPair = [...visits].sort(
    (a, b) =>
      a.patientEmail.localeCompare(b.patientEmail) ||
      a.doctorEmail.localeCompare(b.doctorEmail) ||
      a.startsAt.getTime() - b.startsAt.getTime(),
  );
  const entries = byPair.flatMap((visit) => {
    const cover = policies.filter((policy) => policy.patientId === visit.patientId);
    return entryOf(random, demo, visit, cover) ?? [];
  });
  return { policies, entries };
}
