import { type BillingStatus, billingEntries } from "@medical/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import type { ListInput, Page } from "#platform/list.ts";
import { entryVisibleTo, listScope } from "./access.ts";
import { BILLING_ACTIONS } from "./audit-events.ts";
import { auditingUnreadable } from "./billing-phi.ts";
import { type BillingEntryDto, selectEntryRows, toEntryDto } from "./entry-dto.ts";
import { type PatientScope, patientOfScope } from "./list-scope.ts";
import { entryList } from "./lists.ts";

export interface ListEntriesInput extends ListInput<"createdAt"> {
  status?: BillingStatus[] | undefined;
  appointmentId?: string | undefined;
}

const action = BILLING_ACTIONS.entry.list;

/**
 * A page of billing entries, role-scoped by `entryVisibleTo` (and a doctor's patients first):
 * `GET /billing`, `/billing/me`, `/billing/patient/{patientId}`. Descriptions are PHI: the page is
 * read in a transaction with its audit event, the ids returned and the patient when it is one's.
 */
export function listEntries(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  scope: PatientScope,
  input: ListEntriesInput,
): Promise<Page<BillingEntryDto>> {
  return auditingUnreadable(deps, audit, action, () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const patientId = await patientOfScope(tx, record, actor, scope, action);
      const page =
        patientId === "none"
          ? { items: [], nextCursor: null }
          : await entryList.page(input, ({ where, orderBy, limit }) =>
              selectEntryRows(tx)
                .where(
                  and(
                    entryVisibleTo(actor),
                    listScope(actor, billingEntries.patientId),
                    patientId ? eq(billingEntries.patientId, patientId) : undefined,
                    input.appointmentId ? eq(billingEntries.appointmentId, input.appointmentId) : undefined,
                    input.status?.length ? inArray(billingEntries.status, input.status) : undefined,
                    where,
                  ),
                )
                .orderBy(...orderBy)
                .limit(limit),
            );
      const items = page.items.map((row) => toEntryDto(deps.fieldCipher, row));
      record.audit({
        action,
        outcome: "SUCCESS",
        targetType: "billing_entry",
        patientId: patientId === "none" ? null : patientId,
        resourceIds: items.map((item) => item.id),
        details: { view: scope.view },
      });
      return { items, nextCursor: page.nextCursor };
    }),
  );
}
