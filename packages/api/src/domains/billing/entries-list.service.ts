import { type BillingStatus, billingEntries } from "@medical/db/schema";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { AuditMeta } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import type { ListInput, Page } from "#platform/list.ts";
import { entryVisibleTo, listScope } from "./access.ts";
import { BILLING_ACTIONS } from "./audit-events.ts";
import { auditOfPage } from "./audited-page.ts";
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
 * `GET /billing`, `/billing/me`, `/billing/patient/{patientId}`. Descriptions are PHI: the page
 * and its audit row (the ids returned, the patient when it is one's) are one statement.
 */
export function listEntries(
  deps: Pick<Deps, "db" | "fieldCipher">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  scope: PatientScope,
  input: ListEntriesInput,
): Promise<Page<BillingEntryDto>> {
  return auditingUnreadable(deps, audit, action, async () => {
    const patientId = await patientOfScope(deps, audit, actor, scope, action);
    const { where, orderBy, limit } = entryList.keyset(input);
    const query = selectEntryRows(deps.db)
      .where(
        and(
          entryVisibleTo(actor),
          listScope(actor, billingEntries.patientId),
          // Before their profile exists, a patient's own list is empty (and still audited).
          patientId === "none" ? sql`false` : patientId ? eq(billingEntries.patientId, patientId) : undefined,
          input.appointmentId ? eq(billingEntries.appointmentId, input.appointmentId) : undefined,
          input.status?.length ? inArray(billingEntries.status, input.status) : undefined,
          where,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit);
    const page = deps.db.$with("page").as(query);
    const { auditRow, inOrder } = auditOfPage(
      deps.db,
      audit,
      { action, outcome: "SUCCESS", targetType: "billing_entry", details: { view: scope.view } },
      page,
      {
        sort: page.entry.createdAt,
        id: page.entry.id,
        order: input.order,
        limit: input.limit,
        patientId: patientId === "none" ? null : patientId,
      },
    );
    const rows = await deps.db
      .with(page, auditRow)
      .select()
      .from(page)
      .orderBy(...inOrder);
    const { items, nextCursor } = entryList.pageFrom(input, rows);
    return { items: items.map((row) => toEntryDto(deps.fieldCipher, row)), nextCursor };
  });
}
