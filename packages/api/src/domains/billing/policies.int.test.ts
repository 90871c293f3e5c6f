import { auditEvents, insurancePolicies } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { createFieldCipher } from "#platform/crypto/field-cipher.ts";
import { billingScene } from "#testing/billing.ts";
import { TEST_ENCRYPTION_KEY } from "#testing/deps.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { refusalOf } from "#testing/refusal.ts";
import { signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

const cnas = {
  provider: "CNAS",
  policyNumber: "16-0412-7788-21",
  coveragePercent: 80,
  validFrom: "2026-01-01",
};

describe("registering a policy", () => {
  test("a patient registers their own; its number is encrypted at rest; the write is audited", async () => {
    const scene = await billingScene(file.deps);
    const policy = await scene.patient.caller.billing.policies.create({ ...cnas, validTo: "2026-12-31" });
    expect(policy).toMatchObject({
      ...cnas,
      validTo: "2026-12-31",
      patientId: scene.patient.id,
      isActive: true,
    });
    const [stored] = await file.db
      .select()
      .from(insurancePolicies)
      .where(eq(insurancePolicies.id, policy.id));
    expect(stored?.policyNumber).toMatch(/^v1\./);
    expect(stored?.policyNumber).not.toContain("7788");
    const [audit] = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, policy.id), eq(auditEvents.action, "insurance_policy.created")));
    expect(audit).toMatchObject({ outcome: "SUCCESS", patientId: scene.patient.id, actorRole: "PATIENT" });
  });

  test("a patient without a profile gets PROFILE_REQUIRED; bad terms are 400", async () => {
    const scene = await billingScene(file.deps);
    const { caller } = await signInAs(file.deps, "PATIENT");
    await expect(caller.billing.policies.create(cnas)).rejects.toMatchObject({
      cause: { code: "PROFILE_REQUIRED" },
    });
    for (const [change, path] of [
      [{ validTo: "2025-12-31" }, "validTo"],
      [{ coveragePercent: 101 }, "coveragePercent"],
      [{ coveragePercent: -1 }, "coveragePercent"],
      [{ coveragePercent: 12.5 }, "coveragePercent"],
      [{ provider: "" }, "provider"],
      [{ policyNumber: "x".repeat(101) }, "policyNumber"],
      [{ validFrom: "01/01/2026" }, "validFrom"],
    ] as const) {
      const refusal = await refusalOf(scene.patient.caller.billing.policies.create({ ...cnas, ...change }));
      expect(refusal.paths, JSON.stringify(change)).toContain(path);
    }
  });
});

describe("changing a policy", () => {
  test("STAFF change its terms; with live claims they may only widen (IN_USE otherwise)", async () => {
    const scene = await billingScene(file.deps);
    const cipher = file.deps.fieldCipher;
    const policy = await makePolicy(file.db, {
      patientId: scene.patient.id,
      cipher,
      coveragePercent: 50,
      validFrom: "2026-01-01",
      validTo: "2026-12-31",
    });
    const update = scene.staff.caller.billing.policies.update;
    await expect(
      update({ id: policy.id, coveragePercent: 40, policyNumber: "NEW-1" }),
    ).resolves.toMatchObject({
      coveragePercent: 40,
      policyNumber: "NEW-1",
    });
    const entry = await makeBillingEntry(file.db, {
      patientId: scene.patient.id,
      cipher,
      issueDate: "2026-06-01",
    });
    await makeClaim(file.db, { policyId: policy.id, billingEntryId: entry.id, cipher });
    for (const narrowing of [{ coveragePercent: 39 }, { validFrom: "2026-02-01" }, { validTo: "2026-11-30" }])
      await expect(update({ id: policy.id, ...narrowing }), JSON.stringify(narrowing)).rejects.toMatchObject({
        cause: { code: "IN_USE" },
      });
    await expect(
      update({
        id: policy.id,
        coveragePercent: 60,
        validFrom: "2025-01-01",
        validTo: null,
        provider: "CAAR",
      }),
    ).resolves.toMatchObject({
      coveragePercent: 60,
      validFrom: "2025-01-01",
      validTo: null,
      provider: "CAAR",
    });
    // An open-ended policy gaining an end narrows it too.
    await expect(update({ id: policy.id, validTo: "2030-01-01" })).rejects.toMatchObject({
      cause: { code: "IN_USE" },
    });
    const refusal = await refusalOf(update({ id: policy.id, validTo: "2024-12-31" }));
    expect(refusal.paths).toContain("validTo");
    await expect(update({ id: policy.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  test("DELETE deactivates it (again: nothing changes); PATCH isActive reactivates it; lists filter on isActive", async () => {
    const scene = await billingScene(file.deps);
    const cipher = file.deps.fieldCipher;
    const kept = await makePolicy(file.db, { patientId: scene.patient.id, cipher });
    const dropped = await makePolicy(file.db, { patientId: scene.patient.id, cipher });
    await expect(scene.patient.caller.billing.policies.delete({ id: dropped.id })).resolves.toBeNull();
    await expect(scene.staff.caller.billing.policies.delete({ id: dropped.id })).resolves.toBeNull();
    const ids = async (isActive?: boolean) =>
      (
        await scene.patient.caller.billing.policies.mine(isActive === undefined ? {} : { isActive })
      ).items.map((item) => item.id);
    expect(await ids(true)).toEqual([kept.id]);
    expect(await ids(false)).toEqual([dropped.id]);
    expect((await ids()).sort()).toEqual([kept.id, dropped.id].sort());
    const events = await file.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.targetId, dropped.id), eq(auditEvents.action, "insurance_policy.deactivated")),
      )
      .orderBy(auditEvents.id);
    expect(events.map((row) => [row.actorRole, row.details?.wasActive])).toEqual([
      ["PATIENT", true],
      ["STAFF", false],
    ]);
    await scene.admin.caller.billing.policies.update({ id: dropped.id, isActive: true });
    expect((await ids(true)).sort()).toEqual([kept.id, dropped.id].sort());
  });
});

describe("a provider's number is one patient's contract (POLICY_EXISTS)", () => {
  const numbered = (policyNumber: string, provider = "CNAS") => ({
    provider,
    policyNumber,
    coveragePercent: 80,
    validFrom: "2026-01-01",
  });
  const exists = { appCode: "POLICY_EXISTS", message: expect.stringMatching(/already registered/) };
  const unique = () => `31-${crypto.randomUUID().slice(0, 8)}`;

  test("another patient, or the same one again, is refused whatever the spelling; the refusal is audited and leaks nothing", async () => {
    const owner = await billingScene(file.deps);
    const other = await billingScene(file.deps);
    const number = unique();
    const first = await owner.patient.caller.billing.policies.create(numbered(number));
    const upper = number.toUpperCase();
    const attempts = [
      () => other.patient.caller.billing.policies.create(numbered(number)),
      () => other.patient.caller.billing.policies.create(numbered(` ${upper.replace("-", " ")} `, "cnas")),
      () => owner.patient.caller.billing.policies.create(numbered(upper.replace("-", "."), "Cnas")),
      () => owner.staff.caller.billing.policies.create({ ...numbered(number), patientId: other.patient.id }),
    ];
    for (const [index, attempt] of attempts.entries()) {
      const refusal = await refusalOf(attempt());
      expect(refusal, `attempt ${index}`).toMatchObject(exists);
      expect(JSON.stringify(refusal)).not.toContain(owner.patient.id);
      expect(JSON.stringify(refusal)).not.toContain(first.id);
    }
    const rows = await file.db
      .select({ id: insurancePolicies.id })
      .from(insurancePolicies)
      .where(eq(insurancePolicies.patientId, other.patient.id));
    expect(rows).toEqual([]);
    const [refused] = await file.db
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, "insurance_policy.created"), eq(auditEvents.patientId, other.patient.id)),
      );
    expect(refused).toMatchObject({
      outcome: "DENIED",
      targetType: "patient",
      details: { reason: "policy_exists" },
    });
    // Another insurer's number is another contract, even spelt alike.
    await expect(
      other.patient.caller.billing.policies.create(numbered(number, "CASNOS")),
    ).resolves.toMatchObject({ provider: "CASNOS" });
  });

  test("a deactivated policy keeps its number for its patient: they may register it again, nobody else may", async () => {
    const owner = await billingScene(file.deps);
    const other = await billingScene(file.deps);
    const number = unique();
    const old = await owner.patient.caller.billing.policies.create(numbered(number));
    await owner.patient.caller.billing.policies.delete({ id: old.id });
    expect(await refusalOf(other.patient.caller.billing.policies.create(numbered(number)))).toMatchObject(
      exists,
    );
    // New terms of the same contract (decision record 0027: a narrower cover is a new policy).
    const renewed = await owner.patient.caller.billing.policies.create({
      ...numbered(number),
      coveragePercent: 60,
    });
    expect(renewed).toMatchObject({ isActive: true, coveragePercent: 60 });
    const update = owner.staff.caller.billing.policies.update;
    expect(await refusalOf(update({ id: old.id, isActive: true }))).toMatchObject(exists);
    await owner.staff.caller.billing.policies.delete({ id: renewed.id });
    await expect(update({ id: old.id, isActive: true })).resolves.toMatchObject({ isActive: true });
  });

  test("a change of number or provider to one another policy holds is refused, and audited", async () => {
    const owner = await billingScene(file.deps);
    const other = await billingScene(file.deps);
    const number = unique();
    await owner.patient.caller.billing.policies.create(numbered(number));
    const mine = await other.patient.caller.billing.policies.create(numbered(number, "CAAR"));
    const update = other.staff.caller.billing.policies.update;
    expect(await refusalOf(update({ id: mine.id, provider: "cnas" }))).toMatchObject(exists);
    const elsewhere = await other.patient.caller.billing.policies.create(numbered(unique(), "CNAS"));
    expect(await refusalOf(update({ id: elsewhere.id, policyNumber: number }))).toMatchObject(exists);
    // Deactivated, it still may not take another patient's number.
    await other.patient.caller.billing.policies.delete({ id: elsewhere.id });
    expect(await refusalOf(update({ id: elsewhere.id, policyNumber: number }))).toMatchObject(exists);
    const [refused] = await file.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "insurance_policy.updated"), eq(auditEvents.targetId, mine.id)));
    expect(refused).toMatchObject({
      outcome: "DENIED",
      patientId: other.patient.id,
      details: { reason: "policy_exists", fields: "provider" },
    });
    // Its own number, spelt otherwise, is still its own.
    await expect(update({ id: mine.id, policyNumber: ` ${number.toLowerCase()}` })).resolves.toBeDefined();
  });

  test("a number without a letter or a digit is a 400", async () => {
    const scene = await billingScene(file.deps);
    const refusal = await refusalOf(scene.patient.caller.billing.policies.create(numbered(" -/. ")));
    expect(refusal).toMatchObject({ appCode: "VALIDATION_FAILED", paths: ["policyNumber"] });
  });

  test("a policy keyed under an older key still holds its number", async () => {
    const owner = await billingScene(file.deps);
    const number = unique();
    await makePolicy(file.db, {
      patientId: owner.patient.id,
      cipher: file.deps.fieldCipher,
      policyNumber: number,
    });
    const rotated = {
      ...file.deps,
      fieldCipher: createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }, TEST_ENCRYPTION_KEY]),
    };
    const { caller } = await signInAs(rotated, "STAFF");
    const other = await billingScene(file.deps);
    expect(
      await refusalOf(caller.billing.policies.create({ ...numbered(number), patientId: other.patient.id })),
    ).toMatchObject(exists);
  });
});
