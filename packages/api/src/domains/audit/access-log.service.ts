import type { Executor } from "@medical/db";
import { type AuditOutcome, auditEvents, patients, ROLES, type Role, users } from "@medical/db/schema";
import { and, asc, desc, eq, isNull, ne, or, type SQL, sql } from "drizzle-orm";
import { type AuditMeta, auditRowOfPage, pageReader } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { accessLogVisibleTo } from "./access.ts";

/**
 * A read of the access log is audited like any read of the file, under this action, and never
 * listed in the log itself: otherwise every look at the log would add a line to it.
 */
export const ACCESS_LOG_READ = "patient.access_log.read";

/** Who acted, as the patient sees it (decision record 0026; `actorOf` below). */
export const ACCESS_LOG_ACTOR_KINDS = ["SELF", "CLINIC", "OTHER_PATIENT", "SYSTEM", "UNKNOWN"] as const;
export type AccessLogActorKind = (typeof ACCESS_LOG_ACTOR_KINDS)[number];

export interface AccessLogEntry {
  id: number;
  occurredAt: Date;
  action: string;
  outcome: AuditOutcome;
  resourceType: string | null;
  actor: { kind: AccessLogActorKind; name: string | null; role: Role | null };
}

const accessLogColumns = {
  id: auditEvents.id,
  occurredAt: auditEvents.occurredAt,
  action: auditEvents.action,
  outcome: auditEvents.outcome,
  targetType: auditEvents.targetType,
  actorId: auditEvents.actorId,
  actorRole: auditEvents.actorRole,
  // Aliased: the page is a CTE, whose columns need names of their own.
  accountId: sql<string | null>`${users.id}`.as("account_id"),
  firstName: sql<string | null>`${users.firstName}`.as("account_first_name"),
  lastName: sql<string | null>`${users.lastName}`.as("account_last_name"),
};

export interface AccessLogRow {
  id: number;
  occurredAt: Date;
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  actorId: string | null;
  actorRole: string | null;
  accountId: string | null;
  firstName: string | null;
  lastName: string | null;
}

/** Newest first by default; keyset pages over (time, id) on `audit_events_patient_time`. */
export const accessLogList = defineList<AccessLogRow, "occurredAt">({
  sorts: { occurredAt: auditEvents.occurredAt },
  id: auditEvents.id,
  defaultSort: "occurredAt",
  defaultOrder: "desc",
});

export interface AccessLogInput extends ListInput<"occurredAt"> {
  /** false: leave out what the patient did themselves. */
  includeOwn?: boolean;
}

const isRole = (value: string | null): value is Role => ROLES.some((role) => role === value);

/**
 * The actor of an event as the patient may see them: their own name; the name and role of clinic
 * personnel (a deactivated account keeps its name); another patient's role only (one patient
 * never learns another's name, even from a refused attempt on their file); no one for work done
 * without a signed-in account; an account that no longer exists by its role.
 */
function actorOf(row: AccessLogRow, caller: Pick<Actor, "userId">): AccessLogEntry["actor"] {
  const role = isRole(row.actorRole) ? row.actorRole : null;
  if (row.actorId === null) return { kind: "SYSTEM", name: null, role: null };
  const name = row.accountId === null ? null : `${row.firstName ?? ""} ${row.lastName ?? ""}`.trim();
  if (row.actorId === caller.userId) return { kind: "SELF", name, role };
  if (role === "PATIENT") return { kind: "OTHER_PATIENT", name: null, role };
  if (name === null) return { kind: "UNKNOWN", name: null, role };
  return { kind: "CLINIC", name, role };
}

/**
 * The access log's rows with their actors' names, where `filter` says (the owner, with the access
 * predicate or, for the data export, by patient), reads of the log itself left out.
 */
export function selectAccessLogRows(db: Executor, filter: SQL | undefined) {
  return db
    .select(accessLogColumns)
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(and(ne(auditEvents.action, ACCESS_LOG_READ), filter));
}

/** An event as its patient (whose account is `owner`) sees it in the log. */
export function toAccessLogEntry(row: AccessLogRow, owner: Pick<Actor, "userId">): AccessLogEntry {
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    action: row.action,
    outcome: row.outcome,
    resourceType: row.targetType,
    actor: actorOf(row, owner),
  };
}

/** The page itself, unexecuted: the caller's log after the cursor, in order, one more than the page. */
function accessLogPageQuery(db: Executor, actor: Pick<Actor, "userId" | "role">, input: AccessLogInput) {
  const { where, orderBy, limit } = accessLogList.keyset(input);
  return selectAccessLogRows(
    db,
    and(
      accessLogVisibleTo(actor),
      input.includeOwn === false
        ? or(isNull(auditEvents.actorId), ne(auditEvents.actorId, actor.userId))
        : undefined,
      where,
    ),
  )
    .orderBy(...orderBy)
    .limit(limit);
}

/**
 * `GET /patients/me/access-log`: who read or changed the caller's file, and who tried to — every
 * audit event about their patient profile (their own actions too, unless `includeOwn=false`),
 * newest first. A PATIENT without a profile has no file yet: an empty page. Like every list read
 * (decision record 0024) it is one statement: the page as a CTE and its audit row written with it,
 * naming the caller's profile (the page's ids are audit events', not uuids: none are listed).
 */
export async function listAccessLog(
  deps: Pick<Deps, "db">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  input: AccessLogInput,
): Promise<Page<AccessLogEntry>> {
  const { db } = deps;
  const page = db.$with("page").as(accessLogPageQuery(db, actor, input));
  const direction = input.order === "asc" ? asc : desc;
  const auditRow = auditRowOfPage(
    db,
    pageReader(audit),
    { action: ACCESS_LOG_READ, outcome: "SUCCESS", targetType: "patient" },
    {
      resourceIds: sql`null::uuid[]`,
      patientId: sql`(select ${patients.id} from ${patients} where ${eq(patients.userId, actor.userId)})`,
    },
  );
  const rows = await db
    .with(page, auditRow)
    .select()
    .from(page)
    .orderBy(direction(page.occurredAt), direction(page.id));
  const { items, nextCursor } = accessLogList.pageFrom(input, rows);
  return { items: items.map((row) => toAccessLogEntry(row, actor)), nextCursor };
}
