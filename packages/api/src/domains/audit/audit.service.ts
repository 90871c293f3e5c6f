import { type AuditEvent, auditEvents } from "@medical/db/schema";
import { and, eq, gte, lt, type SQL } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { auditEventVisibleTo } from "./access.ts";

/** Newest first by default, keyset pages over (time, id). */
export const auditList = defineList<AuditEvent, "occurredAt">({
  sorts: { occurredAt: auditEvents.occurredAt },
  id: auditEvents.id,
  defaultSort: "occurredAt",
  defaultOrder: "desc",
});

export interface AuditFilters extends ListInput<"occurredAt"> {
  actorId?: string;
  action?: string;
  targetId?: string;
  patientId?: string;
  from?: Date;
  to?: Date;
}

/** The security trail, with filters (`from` inclusive, `to` exclusive). */
export function listAuditEvents(
  deps: Pick<Deps, "db">,
  actor: Actor,
  input: AuditFilters,
): Promise<Page<AuditEvent>> {
  const filters: (SQL | undefined)[] = [
    input.actorId ? eq(auditEvents.actorId, input.actorId) : undefined,
    input.action ? eq(auditEvents.action, input.action) : undefined,
    input.targetId ? eq(auditEvents.targetId, input.targetId) : undefined,
    input.patientId ? eq(auditEvents.patientId, input.patientId) : undefined,
    input.from ? gte(auditEvents.occurredAt, input.from) : undefined,
    input.to ? lt(auditEvents.occurredAt, input.to) : undefined,
    auditEventVisibleTo(actor),
  ];
  return auditList.page(input, ({ where, orderBy, limit }) =>
    deps.db
      .select()
      .from(auditEvents)
      .where(and(...filters, where))
      .orderBy(...orderBy)
      .limit(limit),
  );
}
