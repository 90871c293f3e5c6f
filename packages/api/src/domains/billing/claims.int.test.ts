import { auditEvents, domainEvents } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { localDateIn } from "#domains/availability/public.ts";
import { billingScene } from "#testing/billing.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { refusalOf } from "#testing/refusal.ts";

const file = useFileDeps();
const cipher = () => file.deps.fieldCipher;

const exceeds = (availableMinor: number) => ({
  appCode: "CLAIM_EXCEEDS_COVERAGE",
  details: { availableMinor },
});
const notValid = (message: RegExp) => ({
  appCode: "POLICY_NOT_VALID",
  message: expect.stringMatching(message),
});

/** A patient's entry of `amountMinor` issued on 2026-06-15 and a policy covering `percent`% of it. */
async function entryAndPolicy(amountMinor: number, percent: number) {
  const scene = await billingScene(file.deps);
  const entry = await makeBillingEntry(file.db, {
    patientId: scene.patient.id,
    cipher: cipher(),
    amountMinor,
    issueDate: "2026-06-15",
  });
  const policy = await makePolicy(file.db, {
    patientId: scene.patient.id,
    cipher: cipher(),
    coveragePercent: percent,
  });
  const claim = (amountMinor: number, policyId = policy.id) =>
    scene.staff.caller.billing.claims.create({ policyId, billingEntryId: entry.id, amount: { amountMinor } });
  return { scene, entry, policy, claim };
}

describe("a claim's limit: floor(amountMinor × percent / 100) less the entry's other live claims", () => {
  test("claims fill the share exactly; one minor unit more is refused with what is left", async () => {
    const { claim, entry, policy, scene } = await entryAndPolicy(100_000, 80);
    await expect(claim(50_000)).resolves.toMatchObject({
      status: "SUBMITTED",
      amount: { amountMinor: 50_000, currency: "DZD" },
      policyId: policy.id,
      billingEntryId: entry.id,
      patientId: scene.patient.id,
      reason: null,
      decidedAt: null,
      paidAt: null,
    });
    expect(await refusalOf(claim(30_001))).toMatchObject(exceeds(30_000));
    await expect(claim(30_000)).resolves.toMatchObject({ amount: { amountMinor: 30_000 } });
    expect(await refusalOf(claim(1))).toMatchObject(exceeds(0));
  });

  test("the share rounds down: 33% of 999 covers 329", async () => {
    const { claim } = await entryAndPolicy(999, 33);
    expect(await refusalOf(claim(330))).toMatchObject(exceeds(329));
    await expect(claim(329)).resolves.toBeDefined();
  });

  test("a rejected claim frees its part; approved and paid ones keep it; a 0% policy covers nothing", async () => {
    const { claim, scene, entry } = await entryAndPolicy(10_000, 100);
    const approved = await claim(3_000);
    const paid = await claim(3_000);
    const rejected = await claim(4_000);
    const staff = scene.staff.caller.billing.claims;
    await staff.update({ id: approved.id, status: "APPROVED" });
    await staff.update({ id: paid.id, status: "APPROVED" });
    await staff.update({ id: paid.id, status: "PAID" });
    await staff.update({ id: rejected.id, status: "REJECTED", reason: "Hors nomenclature" });
    expect(await refusalOf(claim(4_001))).toMatchObject(exceeds(4_000));
    const nothing = await makePolicy(file.db, {
      patientId: scene.patient.id,
      cipher: cipher(),
      coveragePercent: 0,
    });
    expect(await refusalOf(claim(1, nothing.id))).toMatchObject(exceeds(0));
    expect(entry.amountMinor).toBe(10_000);
  });

  test("the entry's live claims on every policy count: a second policy covers what the first left", async () => {
    const { claim, scene } = await entryAndPolicy(10_000, 70);
    await claim(7_000);
    const top = await makePolicy(file.db, {
      patientId: scene.patient.id,
      cipher: cipher(),
      coveragePercent: 100,
    });
    expect(await refusalOf(claim(3_001, top.id))).toMatchObject(exceeds(3_000));
    await expect(claim(3_000, top.id)).resolves.toBeDefined();
  });

  test("a VOID entry takes no claim; another currency is a 400", async () => {
    const { claim, scene, entry, policy } = await entryAndPolicy(10_000, 100);
    const eur = await refusalOf(
      scene.staff.caller.billing.claims.create({
        policyId: policy.id,
        billingEntryId: entry.id,
        amount: { amountMinor: 10, currency: "EUR" },
      }),
    );
    expect(eur).toMatchObject({ appCode: "VALIDATION_FAILED", paths: ["amount.currency"] });
    await scene.staff.caller.billing.update({ id: entry.id, status: "VOID" });
    expect(await refusalOf(claim(1))).toMatchObject(exceeds(0));
  });
});

describe("a claim needs an active policy of the entry's patient valid on the entry's date", () => {
  test("another patient's policy, a deactivated one, one not yet or no longer valid: POLICY_NOT_VALID", async () => {
    const { claim, scene } = await entryAndPolicy(10_000, 100);
    const other = await makePatient(file.db);
    const policies = {
      other: await makePolicy(file.db, { patientId: other.patient.id, cipher: cipher() }),
      inactive: await makePolicy(file.db, { patientId: scene.patient.id, cipher: cipher(), isActive: false }),
      later: await makePolicy(file.db, {
        patientId: scene.patient.id,
        cipher: cipher(),
        validFrom: "2026-06-16",
      }),
      ended: await makePolicy(file.db, {
        patientId: scene.patient.id,
        cipher: cipher(),
        validFrom: "2026-01-01",
        validTo: "2026-06-14",
      }),
      edges: await makePolicy(file.db, {
        patientId: scene.patient.id,
        cipher: cipher(),
        validFrom: "2026-06-15",
        validTo: "2026-06-15",
      }),
    };
    expect(await refusalOf(claim(10, policies.other.id))).toMatchObject(
      notValid(/not one of the entry's patient/),
    );
    expect(await refusalOf(claim(10, policies.inactive.id))).toMatchObject(notValid(/deactivated/));
    expect(await refusalOf(claim(10, policies.later.id))).toMatchObject(notValid(/2026-06-15/));
    expect(await refusalOf(claim(10, policies.ended.id))).toMatchObject(notValid(/2026-06-15/));
    await expect(claim(10, policies.edges.id)).resolves.toBeDefined();
    const refusals = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "insurance_claim.created"), eq(auditEvents.outcome, "DENIED")));
    expect(refusals.filter((row) => row.patientId === scene.patient.id).length).toBeGreaterThanOrEqual(4);
  });

  test("an entry linked to an appointment is dated by the appointment, not by its issue", async () => {
    const startsAt = new Date(Date.UTC(2026, 2, 10, 23, 30));
    const scene = await billingScene(file.deps, { appointmentStartsAt: startsAt });
    // 23:30 UTC is already the next day in Algiers (UTC+1).
    expect(localDateIn("Africa/Algiers", startsAt)).toBe("2026-03-11");
    const entry = await makeBillingEntry(file.db, {
      patientId: scene.patient.id,
      cipher: cipher(),
      appointmentId: scene.appointment.id,
      issueDate: "2026-07-01",
    });
    const march = await makePolicy(file.db, {
      patientId: scene.patient.id,
      cipher: cipher(),
      validFrom: "2026-03-11",
      validTo: "2026-03-31",
    });
    const july = await makePolicy(file.db, {
      patientId: scene.patient.id,
      cipher: cipher(),
      validFrom: "2026-07-01",
    });
    const claim = (policyId: string) =>
      scene.staff.caller.billing.claims.create({
        policyId,
        billingEntryId: entry.id,
        amount: { amountMinor: 10 },
      });
    expect(await refusalOf(claim(july.id))).toMatchObject(notValid(/2026-03-11/));
    await expect(claim(march.id)).resolves.toBeDefined();
  });
});

describe("a claim's statuses: SUBMITTED → APPROVED | REJECTED, APPROVED → PAID", () => {
  test("each allowed move sets its time, writes claim.status_changed and an audit event; the rest are refused", async () => {
    const { claim, scene } = await entryAndPolicy(100_000, 100);
    const heard: unknown[] = [];
    const stop = file.deps.events.subscribe("claim.status_changed", (event) => heard.push(event));
    const first = await claim(1_000);
    const second = await claim(1_000);
    const update = scene.staff.caller.billing.claims.update;
    const approved = await update({ id: first.id, status: "APPROVED", reason: "Accord préalable" });
    expect(approved).toMatchObject({ status: "APPROVED", reason: "Accord préalable", paidAt: null });
    expect(approved.decidedAt).toBeInstanceOf(Date);
    const paid = await scene.admin.caller.billing.claims.update({ id: first.id, status: "PAID" });
    expect(paid).toMatchObject({ status: "PAID", reason: "Accord préalable", decidedAt: approved.decidedAt });
    expect(paid.paidAt).toBeInstanceOf(Date);
    const rejected = await update({ id: second.id, status: "REJECTED", reason: "Doublon" });
    expect(rejected).toMatchObject({ status: "REJECTED", reason: "Doublon", paidAt: null });
    stop();

    const moves = heard.map((event) =>
      typeof event === "object" && event !== null && "from" in event && "to" in event
        ? [event.from, event.to]
        : [],
    );
    expect(moves).toEqual([
      [null, "SUBMITTED"],
      [null, "SUBMITTED"],
      ["SUBMITTED", "APPROVED"],
      ["APPROVED", "PAID"],
      ["SUBMITTED", "REJECTED"],
    ]);
    expect(heard[2]).toEqual({
      v: 1,
      claimId: first.id,
      policyId: first.policyId,
      billingEntryId: first.billingEntryId,
      patientId: scene.patient.id,
      from: "SUBMITTED",
      to: "APPROVED",
      actorId: scene.staff.user.id,
    });
    const outbox = await file.db
      .select()
      .from(domainEvents)
      .where(eq(domainEvents.type, "claim.status_changed"));
    expect(outbox.filter((event) => event.payload.claimId === first.id)).toHaveLength(3);

    // Final statuses and skipped steps.
    const third = await claim(1_000);
    for (const [id, status] of [
      [first.id, "APPROVED"],
      [first.id, "REJECTED"],
      [first.id, "PAID"],
      [second.id, "APPROVED"],
      [second.id, "PAID"],
      [third.id, "PAID"],
    ] as const)
      expect(
        await refusalOf(update({ id, status, ...(status === "REJECTED" ? { reason: "Non" } : {}) })),
        `${id} → ${status}`,
      ).toMatchObject({ appCode: "INVALID_TRANSITION" });
    const denied = await file.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, "insurance_claim.status_changed"), eq(auditEvents.targetId, first.id)),
      )
      .orderBy(auditEvents.id);
    expect(denied.map((row) => [row.outcome, row.details?.from, row.details?.to])).toEqual([
      ["SUCCESS", "SUBMITTED", "APPROVED"],
      ["SUCCESS", "APPROVED", "PAID"],
      ["DENIED", "PAID", "APPROVED"],
      ["DENIED", "PAID", "REJECTED"],
      ["DENIED", "PAID", "PAID"],
    ]);
  });

  test("a rejection needs a reason; SUBMITTED is no target (400)", async () => {
    const { claim, scene } = await entryAndPolicy(100_000, 100);
    const { id } = await claim(1_000);
    const update = scene.staff.caller.billing.claims.update;
    expect((await refusalOf(update({ id, status: "REJECTED" }))).paths).toEqual(["reason"]);
    expect((await refusalOf(update({ id, status: "REJECTED", reason: "   " }))).paths).toEqual(["reason"]);
    const submitted = await refusalOf(update(JSON.parse(JSON.stringify({ id, status: "SUBMITTED" }))));
    expect(submitted.paths).toEqual(["status"]);
  });

  test("a claim made by the factory in any status lists on its policy with its reason", async () => {
    const { scene, entry, policy } = await entryAndPolicy(100_000, 100);
    const made = await makeClaim(file.db, {
      policyId: policy.id,
      billingEntryId: entry.id,
      cipher: cipher(),
      status: "REJECTED",
      reason: "Plafond atteint",
    });
    const page = await scene.patient.caller.billing.claims.byPolicy({
      policyId: policy.id,
      status: ["REJECTED"],
    });
    expect(page.items).toMatchObject([{ id: made.id, reason: "Plafond atteint", status: "REJECTED" }]);
  });
});
