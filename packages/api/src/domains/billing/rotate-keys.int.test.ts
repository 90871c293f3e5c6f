import { billingEntries, insuranceClaims, insurancePolicies } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { createFieldCipher } from "#platform/crypto/field-cipher.ts";
import { TEST_ENCRYPTION_KEY } from "#testing/deps.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { refusalOf } from "#testing/refusal.ts";
import { signInAs } from "#testing/sign-in.ts";
import { openBillingText } from "./billing-phi.ts";
import { policyNumberKeys } from "./policy-number.ts";
import { rotateBillingKeys } from "./rotate-keys.service.ts";

const file = useFileDeps();

describe("pnpm keys:rotate on billing", () => {
  test("re-encrypts descriptions, policy numbers and claim reasons under the new key, leaves unreadable rows alone", async () => {
    const old = file.deps.fieldCipher;
    const { patient } = await makePatient(file.db);
    const entry = await makeBillingEntry(file.db, {
      patientId: patient.id,
      cipher: old,
      description: "Scanner",
    });
    const policy = await makePolicy(file.db, { patientId: patient.id, cipher: old, policyNumber: "16-0001" });
    const claim = await makeClaim(file.db, {
      policyId: policy.id,
      billingEntryId: entry.id,
      cipher: old,
      status: "REJECTED",
      reason: "Non couvert",
    });
    const stranger = createFieldCipher([{ id: "lost", key: Buffer.alloc(32, 9) }]);
    const lost = await makeBillingEntry(file.db, {
      patientId: patient.id,
      cipher: stranger,
      description: "Perdu",
    });

    const rotating = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }, TEST_ENCRYPTION_KEY]);
    const counts = await rotateBillingKeys({ ...file.deps, fieldCipher: rotating }, { batchSize: 1 });
    expect(counts).toMatchObject({ rotated: 3, unreadable: 1, skipped: 0 });
    expect(counts.scanned).toBeGreaterThanOrEqual(4);

    const onlyNew = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }]);
    const [e] = await file.db.select().from(billingEntries).where(eq(billingEntries.id, entry.id));
    const [p] = await file.db.select().from(insurancePolicies).where(eq(insurancePolicies.id, policy.id));
    const [c] = await file.db.select().from(insuranceClaims).where(eq(insuranceClaims.id, claim.id));
    const [l] = await file.db.select().from(billingEntries).where(eq(billingEntries.id, lost.id));
    expect(e && openBillingText(onlyNew, "description", e, e.description)).toBe("Scanner");
    expect(p && openBillingText(onlyNew, "policyNumber", p, p.policyNumber)).toBe("16-0001");
    expect(c && openBillingText(onlyNew, "claimReason", c, c.reason)).toBe("Non couvert");
    expect(l?.description).toBe(lost.description);
    await expect(rotateBillingKeys({ ...file.deps, fieldCipher: rotating })).resolves.toMatchObject({
      rotated: 0,
      unreadable: 1,
    });
  });

  test("a policy's number_key is rewritten under the new key with its number; one from before the keys gets one, and holds its number", async () => {
    const { patient } = await makePatient(file.db);
    const number = `16-${crypto.randomUUID().slice(0, 8)}`;
    const legacy = await makePolicy(file.db, {
      patientId: patient.id,
      cipher: file.deps.fieldCipher,
      policyNumber: number,
    });
    // As migration 0017 left the policies written before it.
    await file.db
      .update(insurancePolicies)
      .set({ numberKey: null })
      .where(eq(insurancePolicies.id, legacy.id));
    const next = createFieldCipher([{ id: "new2", key: Buffer.alloc(32, 4) }, TEST_ENCRYPTION_KEY]);
    const rotating = { ...file.deps, fieldCipher: next };
    await rotateBillingKeys(rotating);
    const [row] = await file.db.select().from(insurancePolicies).where(eq(insurancePolicies.id, legacy.id));
    expect(row?.numberKey).toBe(policyNumberKeys(next, "CNAS", number)[0]);
    expect(row && next.isCurrent(row.policyNumber)).toBe(true);
    const { caller } = await signInAs(rotating, "STAFF");
    const other = await makePatient(file.db);
    const again = caller.billing.policies.create({
      patientId: other.patient.id,
      provider: "cnas",
      policyNumber: number,
      coveragePercent: 50,
      validFrom: "2026-01-01",
    });
    expect(await refusalOf(again)).toMatchObject({ appCode: "POLICY_EXISTS" });
  });
});
