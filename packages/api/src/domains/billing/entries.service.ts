import { randomUUID } from "node:crypto";
import { appointments, billingEntries } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { localDateIn } from "#domains/availability/public.ts";
import { type AuditMeta, auditedTransaction, namedFields } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError, invalidField } from "#platform/errors/errors.ts";
import type { Seal } from "#platform/idempotency/idempotency.ts";
import { ENTRY_NOT_FOUND, findBillablePatient, findVisibleEntry, PATIENT_NOT_FOUND } from "./access.ts";
import { BILLING_ACTIONS, notVisible, refusedChange } from "./audit-events.ts";
import { CLINIC_TIME_ZONE } from "./billing-fields.ts";
import { auditingUnreadable, sealBillingText } from "./billing-phi.ts";
import type { TCreateEntryInput, TUpdateEntryInput } from "./entries.schema.ts";
import { type BillingEntryDto, toEntryDto } from "./entry-dto.ts";
import { hasLiveClaims } from "./live-claims.ts";
import { checkTransition, ENTRY_TRANSITIONS } from "./transitions.ts";

type BillingDeps = Pick<Deps, "db" | "events" | "clock" | "fieldCipher">;
type Who = Pick<Actor, "userId" | "role">;

const actions = BILLING_ACTIONS.entry;

/** Today's date on the clinic's calendar: a bill issued or paid without a date. */
export const clinicToday = (deps: Pick<Deps, "clock">) => localDateIn(CLINIC_TIME_ZONE, deps.clock.now());

/** `GET /billing/{id}`: the entry for those who see it; the read (or the refusal) is audited. */
export function getEntry(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  id: string,
): Promise<BillingEntryDto> {
  return auditingUnreadable(deps, audit, actions.read, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await findVisibleEntry(tx, actor, id);
      if (!row)
        return record.refuse(
          notVisible(actions.read, "billing_entry", id),
          new DomainError("NOT_FOUND", ENTRY_NOT_FOUND),
        );
      const dto = toEntryDto(deps.fieldCipher, row);
      record.audit({
        action: actions.read,
        outcome: "SUCCESS",
        targetType: "billing_entry",
        targetId: id,
        patientId: row.entry.patientId,
      });
      return dto;
    }),
  );
}

/**
 * `POST /billing` (STAFF, ADMIN): a bill for a patient the actor sees (NOT_FOUND otherwise),
 * optionally for one of that patient's appointments (400 otherwise). The entry, its audit event,
 * `bill.issued` and the answer sealed for an Idempotency-Key commit together.
 */
export function createEntry(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  input: TCreateEntryInput,
  seal: Seal<BillingEntryDto> = async () => undefined,
): Promise<BillingEntryDto> {
  const issueDate = input.issueDate ?? clinicToday(deps);
  if (input.dueDate && input.dueDate < issueDate)
    throw invalidField(["dueDate"], "dueDate must not be before issueDate");
  return auditingUnreadable(deps, audit, actions.create, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const patientId = await findBillablePatient(tx, actor, input.patientId);
      if (!patientId)
        return record.refuse(
          notVisible(actions.create, "patient", input.patientId),
          new DomainError("NOT_FOUND", PATIENT_NOT_FOUND),
        );
      const appointmentId = input.appointmentId ?? null;
      if (appointmentId) {
        const [own] = await tx
          .select({ id: appointments.id })
          .from(appointments)
          .where(and(eq(appointments.id, appointmentId), eq(appointments.patientId, patientId)))
          .limit(1);
        if (!own)
          return record.refuse(
            {
              action: actions.create,
              outcome: "DENIED",
              targetType: "appointment",
              targetId: appointmentId,
              patientId,
              details: { reason: "not_the_patients_appointment" },
            },
            invalidField(["appointmentId"], "not an appointment of this patient"),
          );
      }
      const id = randomUUID();
      const now = deps.clock.now();
      await tx.insert(billingEntries).values({
        id,
        patientId,
        appointmentId,
        amountMinor: input.amount.amountMinor,
        currency: input.amount.currency,
        description: sealBillingText(deps.fieldCipher, "description", id, input.description),
        issueDate,
        dueDate: input.dueDate ?? null,
        createdBy: actor.userId,
        createdAt: now,
        updatedAt: now,
      });
      record.audit({
        action: actions.create,
        outcome: "SUCCESS",
        targetType: "billing_entry",
        targetId: id,
        patientId,
        details: { amountMinor: input.amount.amountMinor, currency: input.amount.currency },
      });
      record.emit("bill.issued", {
        v: 1,
        billingEntryId: id,
        patientId,
        appointmentId,
        actorId: actor.userId,
      });
      const row = await findVisibleEntry(tx, actor, id);
      if (!row) throw new Error("a new billing entry is not visible to its author");
      const dto = toEntryDto(deps.fieldCipher, row);
      await seal(tx, dto);
      return dto;
    }),
  );
}

/**
 * `PATCH /billing/{id}` (STAFF, ADMIN): the entry locked (`FOR UPDATE`, the lock claims take too),
 * a status change along the transition table, and the description or due date while it is
 * UNPAID. Voiding waits for its live claims to be rejected: a VOID bill is owed nothing.
 */
export function updateEntry(
  deps: BillingDeps,
  audit: AuditMeta,
  actor: Who,
  { id, ...changes }: TUpdateEntryInput,
): Promise<BillingEntryDto> {
  const fields = namedFields(changes);
  return auditingUnreadable(deps, audit, actions.update, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await findVisibleEntry(tx, actor, id, "update");
      if (!row)
        return record.refuse(
          notVisible(actions.update, "billing_entry", id),
          new DomainError("NOT_FOUND", ENTRY_NOT_FOUND),
        );
      const { entry } = row;
      const refuse = (reason: string, message: string) =>
        record.refuse(
          refusedChange(actions.update, "billing_entry", entry, { from: entry.status, fields, reason }),
          new DomainError("INVALID_TRANSITION", message),
        );
      if (entry.status !== "UNPAID")
        return refuse("final", `A ${entry.status} billing entry does not change`);
      if (changes.status) {
        const verdict = checkTransition(ENTRY_TRANSITIONS, "billing entry", entry.status, changes.status);
        if (!verdict.ok) return refuse(verdict.reason, verdict.message);
        if (changes.status === "VOID" && (await hasLiveClaims(tx, { entryId: id })))
          return refuse("live_claims", "The entry has live claims: reject them before voiding it");
      }
      if (changes.dueDate && changes.dueDate < entry.issueDate)
        throw invalidField(["dueDate"], "dueDate must not be before issueDate");
      const now = deps.clock.now();
      await tx
        .update(billingEntries)
        .set({
          ...(changes.status ? { status: changes.status } : {}),
          ...(changes.status === "PAID" ? { paidDate: changes.paidDate ?? clinicToday(deps) } : {}),
          ...(changes.description
            ? { description: sealBillingText(deps.fieldCipher, "description", id, changes.description) }
            : {}),
          ...(changes.dueDate === undefined ? {} : { dueDate: changes.dueDate }),
          updatedAt: now,
        })
        .where(eq(billingEntries.id, id));
      record.audit({
        action: actions.update,
        outcome: "SUCCESS",
        targetType: "billing_entry",
        targetId: id,
        patientId: entry.patientId,
        details: { from: entry.status, to: changes.status ?? entry.status, fields },
      });
      const updated = await findVisibleEntry(tx, actor, id);
      if (!updated) throw new Error("an updated billing entry is no longer visible to its author");
      return toEntryDto(deps.fieldCipher, updated);
    }),
  );
}
