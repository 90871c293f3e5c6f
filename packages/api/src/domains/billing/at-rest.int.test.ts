import { selectRows } from "@medical/db";
import { billingEntries } from "@medical/db/schema";
import { eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { billingScene } from "#testing/billing.ts";
import { makeBillingEntry } from "#testing/factories/billing.ts";
import { useFileDeps } from "#testing/file-deps.ts";

const file = useFileDeps();

/** Every row of the billing tables as JSON text, as a dump would show them. */
async function dump(): Promise<string> {
  const rows = await Promise.all(
    ["billing_entries", "insurance_policies", "insurance_claims"].map((table) =>
      selectRows(file.db, sql`select row_to_json(t)::text as row from ${sql.identifier(table)} t`),
    ),
  );
  return JSON.stringify(rows);
}

describe("billing texts at rest", () => {
  test("descriptions, policy numbers and claim reasons written through the API are not in a dump of the tables", async () => {
    const scene = await billingScene(file.deps);
    const canary = `canari-${crypto.randomUUID().slice(0, 8)}`;
    const entry = await scene.staff.caller.billing.create({
      patientId: scene.patient.id,
      amount: { amountMinor: 10_000 },
      description: `Description ${canary}`,
    });
    const policy = await scene.patient.caller.billing.policies.create({
      provider: "CNAS",
      policyNumber: `PN-${canary}`,
      coveragePercent: 100,
      validFrom: "2000-01-01",
    });
    const claim = await scene.staff.caller.billing.claims.create({
      policyId: policy.id,
      billingEntryId: entry.id,
      amount: { amountMinor: 100 },
    });
    await scene.staff.caller.billing.claims.update({
      id: claim.id,
      status: "REJECTED",
      reason: `Motif ${canary}`,
    });
    await scene.staff.caller.billing.update({ id: entry.id, description: `Nouvelle ${canary}` });
    await scene.staff.caller.billing.policies.update({ id: policy.id, policyNumber: `PN2-${canary}` });
    const text = await dump();
    expect(text).toContain(entry.id);
    expect(text).not.toContain(canary);
    // What the API answers is the plain text, for those who see it.
    await expect(scene.patient.caller.billing.get({ id: entry.id })).resolves.toMatchObject({
      description: `Nouvelle ${canary}`,
    });
  });

  test("a value moved to another row does not decrypt: a generic error and a FAILURE audit event", async () => {
    const scene = await billingScene(file.deps);
    const cipher = file.deps.fieldCipher;
    const one = await makeBillingEntry(file.db, { patientId: scene.patient.id, cipher, description: "Un" });
    const two = await makeBillingEntry(file.db, { patientId: scene.patient.id, cipher, description: "Deux" });
    await file.db
      .update(billingEntries)
      .set({ description: one.description })
      .where(eq(billingEntries.id, two.id));
    await expect(scene.staff.caller.billing.get({ id: two.id })).rejects.toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
    });
    const events = await selectRows(
      file.db,
      sql`select outcome, details->>'reason' as reason from audit_events where target_id = ${two.id}`,
    );
    expect(events).toEqual([{ outcome: "FAILURE", reason: "undecryptable" }]);
  });
});
