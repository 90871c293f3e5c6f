import { type AuditEvent, auditEvents } from "@medical/db/schema";
import { and, eq, gte, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Deps } from "#platform/deps.ts";
import { dateSortValue, keyset, parseDateSortValue } from "#platform/pagination.ts";

export interface AuditFilters {
  actorId?: string;
  action?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
  order: "asc" | "desc";
  limit: number;
  cursor?: string;
}

const byTime = {
  name: "occurredAt",
  column: auditEvents.occurredAt,
  valueOf: (event: AuditEvent) => dateSortValue(event.occurredAt),
  parse: parseDateSortValue,
};

/** The security trail for admins: newest first by default, keyset pages over (time, id). */
export async function listAuditEvents(deps: Pick<Deps, "db">, input: AuditFilters) {
  const page = keyset(byTime, { column: auditEvents.id, schema: z.number().int() }, input.order, input);
  const filters: (SQL | undefined)[] = [
    input.actorId ? eq(auditEvents.actorId, input.actorId) : undefined,
    input.action ? eq(auditEvents.action, input.action) : undefined,
    input.targetId ? eq(auditEvents.targetId, input.targetId) : undefined,
    input.from ? gte(auditEvents.occurredAt, input.from) : undefined,
    input.to ? lt(auditEvents.occurredAt, input.to) : undefined,
    page.where,
  ];
  const rows = await deps.db
    .select()
    .from(auditEvents)
    .where(and(...filters))
    .orderBy(...page.orderBy)
    .limit(page.take);
  return page.page(rows);
}
