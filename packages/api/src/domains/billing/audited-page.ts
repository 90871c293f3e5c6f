import type { Executor } from "@medical/db";
import { type AnyColumn, asc, desc, type SQL, sql, type WithSubquery } from "drizzle-orm";
import { type AuditEntry, type AuditMeta, auditRowOfPage, pageReader } from "#platform/audit/audit.ts";
import type { Order } from "#platform/list.ts";

/**
 * What a billing list's one statement adds to its page (ADR 0024, audited list reads): the page
 * is the CTE `page` (a keyset query with its access predicate); this gives its audit row, written
 * from it — the ids the page shows, in order, and the patient when the list is one patient's — and
 * the page's order (`sort` then `id`, columns of the CTE). The list then reads
 * `db.with(page, auditRow).select().from(page).orderBy(...inOrder)`.
 */
export function auditOfPage(
  db: Executor,
  audit: AuditMeta,
  entry: Omit<AuditEntry, "resourceIds" | "patientId">,
  page: WithSubquery,
  listed: {
    sort: AnyColumn | SQL.Aliased;
    id: AnyColumn | SQL.Aliased;
    order: Order;
    limit: number;
    patientId: string | null;
  },
) {
  const direction = listed.order === "asc" ? asc : desc;
  const inOrder = [direction(listed.sort), direction(listed.id)];
  const shown = sql`array(select ${listed.id} from ${page} order by ${sql.join(inOrder, sql`, `)} limit ${listed.limit})`;
  return {
    auditRow: auditRowOfPage(db, pageReader(audit), entry, {
      resourceIds: shown,
      patientId: listed.patientId,
    }),
    inOrder,
  };
}
