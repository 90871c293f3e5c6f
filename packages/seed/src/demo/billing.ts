import {
  type AppErrorCode,
  type AuditMeta,
  changeClaimStatus,
  createClaim,
  createEntry,
  createPolicy,
  deactivatePolicy,
  updateEntry,
} from "@medical/api";
import { appointments, billingEntries, doctors, insurancePolicies, patients } from "@medical/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { SeedDeps } from "../operator.ts";
import {
  type BillableVisit,
  type EntryPlan,
  type PolicyPlan,
  planBilling,
  policyKey,
} from "./billing-plan.ts";
import type { DemoData } from "./build.ts";
import { unlessRefused } from "./unless-refused.ts";
import { fixed } from "./visits.ts";

/** What the billing part of the demo holds: each a total wanted and how many this run created. */
export interface BillingResult {
  /** One bill per completed visit between demo accounts. */
  entries: { total: number; created: number };
  policies: { total: number; created: number };
  /** Claims submitted by the run's time. */
  claims: { total: number; created: number };
}

/**
 * What the billing services answer when the demo changed since the seed planned it (a policy of an
 * earlier run deactivated or narrowed since, a row moved by someone else meanwhile): that act and
 * those that need it are skipped.
 */
const CHANGED_SINCE = new Set<AppErrorCode>([
  "NOT_FOUND",
  "POLICY_NOT_VALID",
  "CLAIM_EXCEEDS_COVERAGE",
  "INVALID_TRANSITION",
]);

/**
 * One write of the plan at its time. It runs when every act it `needs` (by key) has run, and
 * answers the id of the row it wrote, which later acts read by its key.
 */
interface Act {
  key: string;
  at: Date;
  needs: string[];
  /** The tally it adds to when it runs. */
  counts?: keyof BillingResult;
  run(deps: SeedDeps, idOf: (key: string) => string): Promise<string>;
}

/** The key of the act that registers a policy, which claims on it need. */
const registration = (key: string) => `policy:${key}`;

type Staff = { userId: string; role: "STAFF" };

/** The demo pairs' completed visits, and whether an entry names each already. */
async function billableVisits(deps: SeedDeps, emails: Map<string, string>): Promise<BillableVisit[]> {
  const userIds = [...emails.keys()];
  const rows = await deps.db
    .select({
      appointmentId: appointments.id,
      patientId: appointments.patientId,
      doctorUserId: doctors.userId,
      patientUserId: patients.userId,
      startsAt: appointments.startsAt,
      endsAt: appointments.endsAt,
      timezone: appointments.timezone,
      amountMinor: doctors.feeAmountMinor,
      currency: doctors.feeCurrency,
      billed: sql<boolean>`exists (select 1 from ${billingEntries} where ${billingEntries.appointmentId} = ${appointments.id})`,
    })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .where(
      and(
        eq(appointments.status, "COMPLETED"),
        inArray(doctors.userId, userIds),
        inArray(patients.userId, userIds),
      ),
    )
    .orderBy(asc(appointments.startsAt), asc(appointments.id));
  return rows.map(({ doctorUserId, patientUserId, amountMinor, currency, ...visit }) => ({
    ...visit,
    doctorEmail: emails.get(doctorUserId) ?? "",
    patientEmail: emails.get(patientUserId) ?? "",
    fee: { amountMinor, currency },
  }));
}

/** The demo patients' policies already there, by natural key (patient and insurer). */
async function registeredPolicies(deps: SeedDeps, patientIds: string[]): Promise<Map<string, string>> {
  if (!patientIds.length) return new Map();
  const rows = await deps.db
    .select({
      id: insurancePolicies.id,
      patientId: insurancePolicies.patientId,
      provider: insurancePolicies.provider,
    })
    .from(insurancePolicies)
    .where(inArray(insurancePolicies.patientId, patientIds));
  return new Map(rows.map((row) => [registration(policyKey(row.patientId, row.provider)), row.id]));
}

/** The policies as the front desk registers them (and deactivates the one dropped), unless registered already. */
function policyActs(
  policies: PolicyPlan[],
  audit: AuditMeta,
  staff: Staff,
  registered: Map<string, string>,
): Act[] {
  return policies.flatMap(({ key, patientId, terms, registeredAt, deactivatedAt }): Act[] => {
    const policy = registration(key);
    if (registered.has(policy)) return [];
    const { validTo, ...required } = terms;
    const register: Act = {
      key: policy,
      at: registeredAt,
      needs: [],
      counts: "policies",
      run: async (deps) => {
        const input = { patientId, ...required, ...(validTo ? { validTo } : {}) };
        return (await createPolicy(deps, audit, staff, input)).id;
      },
    };
    if (!deactivatedAt) return [register];
    const deactivate: Act = {
      key: `${policy}:deactivated`,
      at: deactivatedAt,
      needs: [policy],
      run: async (deps, idOf) => {
        await deactivatePolicy(deps, audit, staff, idOf(policy));
        return idOf(policy);
      },
    };
    return [register, deactivate];
  });
}

/** A bill's claims: each submitted, decided and paid; a later one (the complementary's) after the previous one's payment. */
function claimActs(entry: string, plan: EntryPlan, audit: AuditMeta, staff: Staff): Act[] {
  return plan.claims.flatMap(
    ({ policyKey: cover, amountMinor, submittedAt, decidedAt, decision, paidAt }, index) => {
      const claim = `${entry}:claim:${index}`;
      const policy = registration(cover);
      const acts: Act[] = [
        {
          key: claim,
          at: submittedAt,
          needs: [entry, policy, ...(index ? [`${entry}:claim:${index - 1}:paid`] : [])],
          counts: "claims",
          run: async (deps, idOf) => {
            const amount = { amountMinor, currency: plan.visit.fee.currency };
            return (
              await createClaim(deps, audit, staff, {
                policyId: idOf(policy),
                billingEntryId: idOf(entry),
                amount,
              })
            ).id;
          },
        },
        {
          key: `${claim}:decided`,
          at: decidedAt,
          needs: [claim],
          run: async (deps, idOf) =>
            (await changeClaimStatus(deps, audit, staff, { id: idOf(claim), ...decision })).id,
        },
      ];
      if (paidAt)
        acts.push({
          key: `${claim}:paid`,
          at: paidAt,
          needs: [`${claim}:decided`],
          run: async (deps, idOf) =>
            (await changeClaimStatus(deps, audit, staff, { id: idOf(claim), status: "PAID" })).id,
        });
      return acts;
    },
  );
}

/** A visit's bill, its payment or voiding and its claims, unless the visit has a bill already. */
function entryActs(plan: EntryPlan, audit: AuditMeta, staff: Staff): Act[] {
  const { visit, amountMinor, description, issueDate, dueDate, settlement } = plan;
  if (visit.billed) return [];
  const entry = `entry:${visit.appointmentId}`;
  const issue: Act = {
    key: entry,
    at: visit.endsAt,
    needs: [],
    counts: "entries",
    run: async (deps) => {
      const input = {
        patientId: visit.patientId,
        appointmentId: visit.appointmentId,
        amount: { amountMinor, currency: visit.fee.currency },
        description,
        issueDate,
        dueDate,
      };
      return (await createEntry(deps, audit, staff, input)).id;
    },
  };
  const settle = (settled: NonNullable<EntryPlan["settlement"]>): Act => {
    const { at, ...change } = settled;
    return {
      key: `${entry}:settled`,
      at,
      needs: [entry],
      run: async (deps, idOf) => (await updateEntry(deps, audit, staff, { id: idOf(entry), ...change })).id,
    };
  };
  return [issue, ...(settlement ? [settle(settlement)] : []), ...claimActs(entry, plan, audit, staff)];
}

/**
 * The demo's billing (data/billing.ts, planned in billing-plan.ts), through the billing services
 * as the README's front desk (STAFF), each act with a clock of its time, in the order of those
 * times: policies registered at a patient's first visit, a bill for every completed visit between
 * demo accounts at its end, linked to it, then payments, voids and claims moving through their
 * statuses in the days and weeks after. What would come after the run's time is left out: recent
 * bills stay unpaid, recent claims submitted or approved. Natural keys: a visit with a bill gets
 * no other, and what follows a bill (its payment, its claims) is written only when the seed writes
 * the bill; a patient's policy with an insurer is registered once. A second run writes nothing.
 */
export async function ensureBilling(
  deps: SeedDeps,
  audit: AuditMeta,
  demo: DemoData,
  userIds: Map<string, string>,
): Promise<BillingResult> {
  const emails = new Map([...userIds].map(([email, id]) => [id, email]));
  const visits = await billableVisits(deps, emails);
  const plan = planBilling(demo, visits);
  const now = deps.clock.now();
  const result: BillingResult = {
    entries: { total: plan.entries.length, created: 0 },
    policies: { total: plan.policies.length, created: 0 },
    claims: {
      total: plan.entries.flatMap((entry) => entry.claims).filter((claim) => claim.submittedAt <= now).length,
      created: 0,
    },
  };
  const staffUserId = userIds.get(demo.signIn.STAFF);
  if (!staffUserId) return result;
  const done = await registeredPolicies(deps, [...new Set(visits.map((visit) => visit.patientId))]);
  const idOf = (key: string) => {
    const id = done.get(key);
    if (id === undefined) throw new Error(`demo billing act ${key} ran before what it needs`);
    return id;
  };
  const staff = { userId: staffUserId, role: "STAFF" } as const;
  // Array.prototype.sort is stable: acts at the same time keep the plan's order.
  const acts = [
    ...policyActs(plan.policies, audit, staff, done),
    ...plan.entries.flatMap((entry) => entryActs(entry, audit, staff)),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const act of acts) {
    if (act.at > now || !act.needs.every((key) => done.has(key))) continue;
    const id = await unlessRefused(CHANGED_SINCE, () => act.run({ ...deps, clock: fixed(act.at) }, idOf));
    if (id === undefined) continue;
    done.set(act.key, id);
    if (act.counts) result[act.counts].created += 1;
  }
  return result;
}
