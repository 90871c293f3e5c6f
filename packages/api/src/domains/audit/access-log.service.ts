import { type AuditOutcome, auditEvents, patients, ROLES, type Role, users } from "@medical/db/schema";
import { and, eq, isNull, ne, or } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { accessLogVisibleTo } from "./access.ts";

/**
 * A read of the access log is audited like any read of the file, under this action, and never
 * listed in the log itself: otherwise every look at the log would add a line to it.
 */
export const ACCESS_LOG_READ = "patient.access_log.read";

/** Who acted, as the patient sees it (decision record 0025; `actorOf` below). */
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
  accountId: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
};

interface AccessLogRow {
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
 * `GET /patients/me/access-log`: who read or changed the caller's file, and who tried to — every
 * audit event about their patient profile (their own actions too, unless `includeOwn=false`),
 * newest first. A PATIENT without a profile has no file yet: an empty page. The read is audited.
 */
export function listAccessLog(
  deps: Pick<Deps, "db" | "events">,
  audit: AuditMeta,
  actor: Actor,
  input: AccessLogInput,
): Promise<Page<AccessLogEntry>> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    const [own] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(eq(patients.userId, actor.userId))
      .limit(1);
    const page = await accessLogList.page(input, ({ where, orderBy, limit }) =>
      tx
        .select(accessLogColumns)
        .from(auditEvents)
        .leftJoin(users, eq(users.id, auditEvents.actorId))
        .where(
          and(
            accessLogVisibleTo(actor),
            ne(auditEvents.action, ACCESS_LOG_READ),
            input.includeOwn === false
              ? or(isNull(auditEvents.actorId), ne(auditEvents.actorId, actor.userId))
              : undefined,
            where,
          ),
        )
        .orderBy(...orderBy)
        .limit(limit),
    );
    record.audit({
      action: ACCESS_LOG_READ,
      outcome: "SUCCESS",
      targetType: "patient",
      targetId: own?.id ?? null,
      patientId: own?.id ?? null,
      details: { count: page.items.length },
    });
    return {
      items: page.items.map((row) => ({
        id: row.id,
        occurredAt: row.occurredAt,
        action: row.action,
        outcome: row.outcome,
        resourceType: row.targetType,
        actor: actorOf(row, actor),
      })),
      nextCursor: page.nextCursor,
    };
  });
}
