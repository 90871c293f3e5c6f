import { billingEntries, insuranceClaims, insurancePolicies, LIVE_CLAIM_STATUSES } from "@medical/db/schema";
import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { makeBillingEntry, makePolicy } from "#testing/factories/billing.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { someoneWaitsForALock } from "#testing/locks.ts";
import { outcomes, tally, useRaceDeps } from "#testing/race.ts";
import { signInAs } from "#testing/sign-in.ts";
import { coveredShare } from "./billing-fields.ts";
import { sealBillingText } from "./billing-phi.ts";
import { policyNumberKeys } from "./policy-number.ts";

/** Races only PostgreSQL can show (PGlite runs one transaction at a time), over a pool of 25. */
const race = useRaceDeps();

/** The sum of the entry's live claims as stored. */
async function liveTotal(entryId: string): Promise<number> {
  const [row] = await race.deps.db
    .select({ total: sql<number>`coalesce(sum(${insuranceClaims.amountMinor}), 0)`.mapWith(Number) })
    .from(insuranceClaims)
    .where(
      and(
        eq(insuranceClaims.billingEntryId, entryId),
        inArray(insuranceClaims.status, [...LIVE_CLAIM_STATUSES]),
      ),
    );
  return row?.total ?? 0;
}

/** A patient's entry of `amountMinor`, a policy of `percent`%, and the front desk signed in. */
async function scene(amountMinor: number, percent: number) {
  const { patient } = await makePatient(race.deps.db);
  const entry = await makeBillingEntry(race.deps.db, {
    patientId: patient.id,
    cipher: race.deps.fieldCipher,
    amountMinor,
  });
  const policy = await makePolicy(race.deps.db, {
    patientId: patient.id,
    cipher: race.deps.fieldCipher,
    coveragePercent: percent,
  });
  const staff = await signInAs(race.deps, "STAFF");
  const claim = (amount: number, policyId = policy.id) =>
    staff.caller.billing.claims.create({
      policyId,
      billingEntryId: entry.id,
      amount: { amountMinor: amount },
    });
  return { patient, entry, policy, staff, claim };
}

/** Deterministic amounts from 1 to `max`: a linear congruential sequence. */
function amounts(count: number, max: number, seed = 17): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return 1 + (state % max);
  });
}

describe.skipIf(!race.onPostgres)("concurrent claims (PostgreSQL)", () => {
  test("60 claims of 2,000 at once on an 80% share of 100,000: exactly 40 succeed, the live claims sum to the share", async () => {
    const { claim, entry } = await scene(100_000, 80);
    const codes = await outcomes(Array.from({ length: 60 }, () => claim(2_000)));
    expect(tally(codes)).toEqual({ CLAIM_EXCEEDS_COVERAGE: 20, ok: 40 });
    expect(await liveTotal(entry.id)).toBe(80_000);
  });

  test("80 claims of uneven amounts at once: the live claims never exceed the share", async () => {
    const { claim, entry } = await scene(123_457, 65);
    const share = coveredShare(123_457, 65);
    const asked = amounts(80, 6_000);
    const settled = await Promise.allSettled(asked.map((amount) => claim(amount)));
    const accepted = settled.reduce(
      (sum, result, i) => (result.status === "fulfilled" ? sum + (asked[i] ?? 0) : sum),
      0,
    );
    expect(accepted).toBeLessThanOrEqual(share);
    expect(await liveTotal(entry.id)).toBe(accepted);
    // The sequence asks for far more than the share: the limit, not luck, stopped the rest.
    expect(asked.reduce((sum, amount) => sum + amount, 0)).toBeGreaterThan(share);
    expect(settled.some((result) => result.status === "rejected")).toBe(true);
  });

  test("50 claims on two policies of one entry at once: all policies together stay within the larger share", async () => {
    const { claim, entry, patient, policy } = await scene(100_000, 60);
    const second = await makePolicy(race.deps.db, {
      patientId: patient.id,
      cipher: race.deps.fieldCipher,
      coveragePercent: 90,
    });
    const codes = await outcomes(
      Array.from({ length: 50 }, (_, i) => claim(3_000, i % 2 === 0 ? policy.id : second.id)),
    );
    expect(codes.every((code) => code === "ok" || code === "CLAIM_EXCEEDS_COVERAGE")).toBe(true);
    expect(await liveTotal(entry.id)).toBeLessThanOrEqual(90_000);
  });

  test("50 claims and a void at once: a VOID entry never has live claims", async () => {
    const { claim, entry, staff } = await scene(100_000, 100);
    const calls: Promise<unknown>[] = Array.from({ length: 50 }, () => claim(1_000));
    calls.splice(10, 0, staff.caller.billing.update({ id: entry.id, status: "VOID" }));
    const codes = await outcomes(calls);
    const [row] = await race.deps.db.select().from(billingEntries).where(eq(billingEntries.id, entry.id));
    const live = await liveTotal(entry.id);
    if (row?.status === "VOID") expect(live).toBe(0);
    else expect(codes[10]).toBe("INVALID_TRANSITION");
    expect(live).toBe(codes.filter((code, i) => i !== 10 && code === "ok").length * 1_000);
  });

  test("20 retries of one claim with one Idempotency-Key at once: one claim, every answer it or IN_PROGRESS", async () => {
    const { entry, policy, staff } = await scene(100_000, 80);
    const request = {
      policyId: policy.id,
      billingEntryId: entry.id,
      amount: { amountMinor: 5_000 },
      idempotencyKey: crypto.randomUUID(),
    };
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => staff.caller.billing.claims.create(request)),
    );
    const ids = new Set(
      settled.flatMap((result) => (result.status === "fulfilled" ? [result.value.id] : [])),
    );
    expect(ids.size).toBe(1);
    const codes = await outcomes(
      settled.map((result) =>
        result.status === "fulfilled" ? Promise.resolve() : Promise.reject(result.reason),
      ),
    );
    expect(codes.every((code) => code === "ok" || code === "IDEMPOTENCY_IN_PROGRESS")).toBe(true);
    expect(await liveTotal(entry.id)).toBe(5_000);
    await expect(staff.caller.billing.claims.create(request)).resolves.toMatchObject({ id: [...ids][0] });
  });

  test("50 claims and a lower share at once: the live claims stay within the share the policy ends with", async () => {
    const { claim, entry, policy, staff } = await scene(100_000, 80);
    const calls: Promise<unknown>[] = Array.from({ length: 50 }, () => claim(2_000));
    calls.splice(5, 0, staff.caller.billing.policies.update({ id: policy.id, coveragePercent: 30 }));
    const codes = await outcomes(calls);
    expect(codes[5] === "ok" || codes[5] === "IN_USE").toBe(true);
    const [stored] = await race.deps.db
      .select()
      .from(insurancePolicies)
      .where(eq(insurancePolicies.id, policy.id));
    expect(await liveTotal(entry.id)).toBeLessThanOrEqual(
      coveredShare(100_000, stored?.coveragePercent ?? 0),
    );
  });
});

describe.skipIf(!race.onPostgres)("concurrent policy registrations (PostgreSQL)", () => {
  const terms = (patientId: string, policyNumber: string) => ({
    patientId,
    provider: "CNAS",
    policyNumber,
    coveragePercent: 80,
    validFrom: "2026-01-01",
  });
  const activeWith = async (policyNumber: string) =>
    race.deps.db.$count(
      insurancePolicies,
      and(
        eq(insurancePolicies.numberKey, policyNumberKeys(race.deps.fieldCipher, "CNAS", policyNumber)[0]),
        eq(insurancePolicies.isActive, true),
      ),
    );

  test("20 patients, and one patient 10 times, registering one number at once: one policy each time, every other POLICY_EXISTS", async () => {
    const staff = await signInAs(race.deps, "STAFF");
    const patients = await Promise.all(Array.from({ length: 20 }, () => makePatient(race.deps.db)));
    const shared = `77-${crypto.randomUUID().slice(0, 8)}`;
    const codes = await outcomes(
      patients.map(({ patient }) => staff.caller.billing.policies.create(terms(patient.id, shared))),
    );
    expect(tally(codes)).toEqual({ POLICY_EXISTS: 19, ok: 1 });
    expect(await activeWith(shared)).toBe(1);

    const { patient } = await makePatient(race.deps.db);
    const own = `78-${crypto.randomUUID().slice(0, 8)}`;
    const again = await outcomes(
      Array.from({ length: 10 }, () => staff.caller.billing.policies.create(terms(patient.id, own))),
    );
    expect(tally(again)).toEqual({ POLICY_EXISTS: 9, ok: 1 });
    expect(await activeWith(own)).toBe(1);
  });

  test("a write that skips the check commits the number first: the unique index refuses the second, answered as POLICY_EXISTS", async () => {
    const staff = await signInAs(race.deps, "STAFF");
    const first = await makePatient(race.deps.db);
    const second = await makePatient(race.deps.db);
    const policyNumber = `79-${crypto.randomUUID().slice(0, 8)}`;
    let registering: Promise<unknown> = Promise.resolve();
    await race.deps.db.transaction(async (tx) => {
      // A script's insert, not yet committed: the service's check cannot see it, its insert waits.
      const id = crypto.randomUUID();
      await tx.insert(insurancePolicies).values({
        id,
        patientId: first.patient.id,
        provider: "CNAS",
        policyNumber: sealBillingText(race.deps.fieldCipher, "policyNumber", id, policyNumber),
        numberKey: policyNumberKeys(race.deps.fieldCipher, "CNAS", policyNumber)[0],
        coveragePercent: 80,
        validFrom: "2026-01-01",
        createdBy: first.user.id,
      });
      registering = staff.caller.billing.policies.create(terms(second.patient.id, policyNumber));
      registering.catch(() => undefined);
      await someoneWaitsForALock(race.deps.db);
    });
    expect(await outcomes([registering])).toEqual(["POLICY_EXISTS"]);
    expect(await activeWith(policyNumber)).toBe(1);
  });
});
