import { billingEntries, insuranceClaims, insurancePolicies } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { billingScene } from "#testing/billing.ts";
import { makeBillingEntry, makePolicy } from "#testing/factories/billing.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { refusalOf } from "#testing/refusal.ts";

/**
 * `Idempotency-Key` on billing's creations (decision records 0021 and 0027): a retry with the same
 * key and request answers the first result and creates nothing more; the same key with another
 * request is 422 IDEMPOTENCY_MISMATCH. The REST header is tested in billing.e2e.test.ts, the races
 * on PostgreSQL in concurrency.int.test.ts.
 */
const file = useFileDeps();
const cipher = () => file.deps.fieldCipher;
const mismatch = { appCode: "IDEMPOTENCY_MISMATCH" };

describe("billing creations with an idempotency key", () => {
  test("a claim retried gets the same claim back and submits no second; another body is 422", async () => {
    const scene = await billingScene(file.deps);
    const entry = await makeBillingEntry(file.db, { patientId: scene.patient.id, cipher: cipher() });
    const policy = await makePolicy(file.db, { patientId: scene.patient.id, cipher: cipher() });
    const idempotencyKey = crypto.randomUUID();
    const request = { policyId: policy.id, billingEntryId: entry.id, amount: { amountMinor: 20_000 } };
    const claims = scene.staff.caller.billing.claims;

    const first = await claims.create({ ...request, idempotencyKey });
    // The currency the schema defaults is the same request spelt out.
    const again = await claims.create({
      ...request,
      amount: { amountMinor: 20_000, currency: "DZD" },
      idempotencyKey,
    });
    expect(again).toEqual(first);
    expect(
      await file.db.select().from(insuranceClaims).where(eq(insuranceClaims.billingEntryId, entry.id)),
    ).toHaveLength(1);
    expect(
      await refusalOf(claims.create({ ...request, amount: { amountMinor: 1_000 }, idempotencyKey })),
    ).toMatchObject(mismatch);
    // A key is the user's own: the admin's same key is a request of their own.
    const byAdmin = await scene.admin.caller.billing.claims.create({ ...request, idempotencyKey });
    expect(byAdmin.id).not.toBe(first.id);
  });

  test("a stored refusal is replayed: POLICY_NOT_VALID answers the retry even after the policy is fixed", async () => {
    const scene = await billingScene(file.deps);
    const entry = await makeBillingEntry(file.db, { patientId: scene.patient.id, cipher: cipher() });
    const policy = await makePolicy(file.db, {
      patientId: scene.patient.id,
      cipher: cipher(),
      isActive: false,
    });
    const idempotencyKey = crypto.randomUUID();
    const request = {
      policyId: policy.id,
      billingEntryId: entry.id,
      amount: { amountMinor: 1_000 },
      idempotencyKey,
    };
    const claims = scene.staff.caller.billing.claims;
    expect(await refusalOf(claims.create(request))).toMatchObject({ appCode: "POLICY_NOT_VALID" });
    await file.db
      .update(insurancePolicies)
      .set({ isActive: true })
      .where(eq(insurancePolicies.id, policy.id));
    expect(await refusalOf(claims.create(request))).toMatchObject({ appCode: "POLICY_NOT_VALID" });
    await expect(claims.create({ ...request, idempotencyKey: crypto.randomUUID() })).resolves.toMatchObject({
      status: "SUBMITTED",
    });
  });

  test("a bill retried is issued once", async () => {
    const scene = await billingScene(file.deps);
    const idempotencyKey = crypto.randomUUID();
    const request = {
      patientId: scene.patient.id,
      amount: { amountMinor: 150_000 },
      description: "Échographie",
      idempotencyKey,
    };
    const first = await scene.staff.caller.billing.create(request);
    await expect(scene.staff.caller.billing.create(request)).resolves.toEqual(first);
    expect(
      await file.db.select().from(billingEntries).where(eq(billingEntries.patientId, scene.patient.id)),
    ).toHaveLength(1);
    expect(
      await refusalOf(scene.staff.caller.billing.create({ ...request, description: "Radiographie" })),
    ).toMatchObject(mismatch);
  });

  test("a policy retried is registered once, by the patient as by the front desk", async () => {
    const scene = await billingScene(file.deps);
    const idempotencyKey = crypto.randomUUID();
    const request = {
      provider: "CASNOS",
      policyNumber: `CAS-${idempotencyKey.slice(0, 8)}`,
      coveragePercent: 80,
      validFrom: "2026-01-01",
      idempotencyKey,
    };
    const policies = scene.patient.caller.billing.policies;
    const first = await policies.create(request);
    await expect(policies.create(request)).resolves.toEqual(first);
    expect(
      await file.db.select().from(insurancePolicies).where(eq(insurancePolicies.patientId, scene.patient.id)),
    ).toHaveLength(1);
    expect(await refusalOf(policies.create({ ...request, coveragePercent: 70 }))).toMatchObject(mismatch);
  });

  test("a malformed key is a 400 naming idempotencyKey", async () => {
    const scene = await billingScene(file.deps);
    const refusal = await refusalOf(
      scene.staff.caller.billing.create({
        patientId: scene.patient.id,
        amount: { amountMinor: 1_000 },
        description: "Consultation",
        idempotencyKey: "has spaces",
      }),
    );
    expect(refusal).toMatchObject({ appCode: "VALIDATION_FAILED", paths: ["idempotencyKey"] });
  });
});
