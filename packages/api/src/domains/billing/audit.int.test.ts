import { type AuditEvent, auditEvents } from "@medical/db/schema";
import { gt, max } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { type BillingScene, billingScene } from "#testing/billing.ts";
import type { Caller } from "#testing/caller.ts";
import { makeBillingEntry, makeClaim, makePolicy } from "#testing/factories/billing.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn } from "#testing/sign-in.ts";

/**
 * Issue 17's PHI trail for billing: every read and write of entries, policies and claims — list
 * reads with the ids they returned, refusals too — writes exactly these audit events, and nothing
 * else does.
 */
const file = useFileDeps();

let scene: BillingScene;
let stranger: Caller;
let ids: { entry: string; policy: string; claim: string };
beforeAll(async () => {
  scene = await billingScene(file.deps);
  stranger = (await signIn(file.deps, (await makePatient(file.db)).user)).caller;
  const cipher = file.deps.fieldCipher;
  const entry = await makeBillingEntry(file.db, { patientId: scene.patient.id, cipher });
  const policy = await makePolicy(file.db, { patientId: scene.patient.id, cipher });
  const claim = await makeClaim(file.db, { policyId: policy.id, billingEntryId: entry.id, cipher });
  ids = { entry: entry.id, policy: policy.id, claim: claim.id };
});

type Seen = Pick<AuditEvent, "action" | "outcome" | "targetType" | "targetId" | "patientId" | "resourceIds">;

/** The audit events the call wrote, whether it answered or was refused. */
async function eventsOf(call: () => Promise<unknown>): Promise<Seen[]> {
  const [before] = await file.db.select({ last: max(auditEvents.id) }).from(auditEvents);
  await call().catch(() => undefined);
  const rows = await file.db
    .select()
    .from(auditEvents)
    .where(gt(auditEvents.id, before?.last ?? 0))
    .orderBy(auditEvents.id);
  return rows.map(({ action, outcome, targetType, targetId, patientId, resourceIds }) => ({
    action,
    outcome,
    targetType,
    targetId,
    patientId,
    resourceIds,
  }));
}

const event = (over: Partial<Seen> & Pick<Seen, "action" | "outcome" | "targetType">): Seen => ({
  targetId: null,
  patientId: null,
  resourceIds: null,
  ...over,
});

describe("every billing read is audited once, with the ids it returned", () => {
  test("entries: one, the patient's list, a doctor's, the front desk's", async () => {
    const patientId = scene.patient.id;
    const read = event({
      action: "billing_entry.read",
      outcome: "SUCCESS",
      targetType: "billing_entry",
      targetId: ids.entry,
      patientId,
    });
    expect(await eventsOf(() => scene.doctor.caller.billing.get({ id: ids.entry }))).toEqual([read]);
    const list = event({
      action: "billing_entry.list",
      outcome: "SUCCESS",
      targetType: "billing_entry",
      patientId,
      resourceIds: [ids.entry],
    });
    expect(await eventsOf(() => scene.patient.caller.billing.mine({}))).toEqual([list]);
    expect(await eventsOf(() => scene.doctor.caller.billing.byPatient({ patientId }))).toEqual([list]);
    expect(await eventsOf(() => scene.staff.caller.billing.list({ patientId }))).toEqual([list]);
  });

  test("policies and claims lists", async () => {
    const patientId = scene.patient.id;
    expect(await eventsOf(() => scene.patient.caller.billing.policies.mine({}))).toEqual([
      event({
        action: "insurance_policy.list",
        outcome: "SUCCESS",
        targetType: "insurance_policy",
        patientId,
        resourceIds: [ids.policy],
      }),
    ]);
    expect(await eventsOf(() => scene.admin.caller.billing.policies.byPatient({ patientId }))).toHaveLength(
      1,
    );
    expect(
      await eventsOf(() => scene.doctor.caller.billing.claims.byPolicy({ policyId: ids.policy })),
    ).toEqual([
      event({
        action: "insurance_claim.list",
        outcome: "SUCCESS",
        targetType: "insurance_claim",
        patientId,
        resourceIds: [ids.claim],
      }),
    ]);
  });
});

describe("refusals are audited too, without naming whose row it was", () => {
  test("a row out of reach, a patient out of reach, a role without the right", async () => {
    expect(await eventsOf(() => stranger.billing.get({ id: ids.entry }))).toEqual([
      event({
        action: "billing_entry.read",
        outcome: "DENIED",
        targetType: "billing_entry",
        targetId: ids.entry,
      }),
    ]);
    expect(await eventsOf(() => stranger.billing.byPatient({ patientId: scene.patient.id }))).toEqual([
      event({
        action: "billing_entry.list",
        outcome: "DENIED",
        targetType: "patient",
        targetId: scene.patient.id,
      }),
    ]);
    expect(await eventsOf(() => stranger.billing.claims.byPolicy({ policyId: ids.policy }))).toEqual([
      event({
        action: "insurance_claim.list",
        outcome: "DENIED",
        targetType: "insurance_policy",
        targetId: ids.policy,
      }),
    ]);
    expect(await eventsOf(() => stranger.billing.policies.delete({ id: ids.policy }))).toEqual([
      event({
        action: "insurance_policy.deactivated",
        outcome: "DENIED",
        targetType: "insurance_policy",
        targetId: ids.policy,
      }),
    ]);
    for (const [call, action, targetType] of [
      [
        () => scene.patient.caller.billing.update({ id: ids.entry, status: "PAID" }),
        "billing_entry.updated",
        "billing_entry",
      ],
      [() => scene.patient.caller.billing.list({}), "billing_entry.list", "billing_entry"],
      [() => scene.doctor.caller.billing.mine({}), "billing_entry.list", "billing_entry"],
      [
        () =>
          scene.doctor.caller.billing.policies.create({
            patientId: scene.patient.id,
            provider: "CNAS",
            policyNumber: "1",
            coveragePercent: 1,
            validFrom: "2026-01-01",
          }),
        "insurance_policy.created",
        "insurance_policy",
      ],
      [
        () => scene.patient.caller.billing.claims.update({ id: ids.claim, status: "APPROVED" }),
        "insurance_claim.status_changed",
        "insurance_claim",
      ],
    ] as const) {
      expect(await eventsOf(call)).toEqual([event({ action, outcome: "DENIED", targetType })]);
    }
  });
});

describe("every write is audited once with its patient", () => {
  test("issue, change, register, deactivate, claim, decide", async () => {
    const patientId = scene.patient.id;
    const staff = scene.staff.caller.billing;
    const write = (action: string, targetType: Seen["targetType"]) => [
      expect.objectContaining({ action, outcome: "SUCCESS", targetType, patientId }),
    ];
    let entryId = "";
    expect(
      await eventsOf(async () => {
        entryId = (await staff.create({ patientId, amount: { amountMinor: 5_000 }, description: "Bilan" }))
          .id;
      }),
    ).toEqual(write("billing_entry.created", "billing_entry"));
    expect(await eventsOf(() => staff.update({ id: entryId, dueDate: "2099-01-01" }))).toEqual(
      write("billing_entry.updated", "billing_entry"),
    );
    let policyId = "";
    expect(
      await eventsOf(async () => {
        policyId = (
          await scene.patient.caller.billing.policies.create({
            provider: "CAAR",
            policyNumber: "77",
            coveragePercent: 50,
            validFrom: "2000-01-01",
          })
        ).id;
      }),
    ).toEqual(write("insurance_policy.created", "insurance_policy"));
    expect(await eventsOf(() => staff.policies.update({ id: policyId, provider: "CAAT" }))).toEqual(
      write("insurance_policy.updated", "insurance_policy"),
    );
    let claimId = "";
    expect(
      await eventsOf(async () => {
        claimId = (
          await staff.claims.create({ policyId, billingEntryId: entryId, amount: { amountMinor: 1_000 } })
        ).id;
      }),
    ).toEqual(write("insurance_claim.created", "insurance_claim"));
    expect(await eventsOf(() => staff.claims.update({ id: claimId, status: "APPROVED" }))).toEqual(
      write("insurance_claim.status_changed", "insurance_claim"),
    );
    expect(await eventsOf(() => staff.policies.delete({ id: policyId }))).toEqual(
      write("insurance_policy.deactivated", "insurance_policy"),
    );
  });
});
