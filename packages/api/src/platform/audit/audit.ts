import type { Database, Executor, Transaction } from "@medical/db";
import { type AuditOutcome, auditEvents, domainEvents, type NewAuditEvent } from "@medical/db/schema";
import { type Placeholder, type SQL, sql } from "drizzle-orm";
import type { PgTransactionConfig } from "drizzle-orm/pg-core";
import type { Actor } from "../auth/actor.ts";
import type { RequestOrigin } from "../context.ts";
import type { Deps } from "../deps.ts";
import type { DomainError } from "../errors/errors.ts";
import type { DomainEvents, EventName } from "../events/event-bus.ts";

/** Who did it and from where; procedures build it once (auditMetaOf) and services pass it on. */
export interface AuditMeta {
  actor: Pick<Actor, "userId" | "role"> | null;
  requestId: string;
  origin: RequestOrigin;
}

export type AuditTargetType =
  | "user"
  | "session"
  | "patient"
  | "doctor"
  | "specialty"
  | "review"
  | "availability_rule"
  | "availability_exception"
  | "appointment"
  | "calendar_feed"
  | "medical_record"
  | "billing_entry"
  | "insurance_policy"
  | "insurance_claim"
  | "announcement";

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  targetType?: AuditTargetType;
  targetId?: string | null;
  /** The patient whose health information this touched: PHI access reports filter on it. */
  patientId?: string | null;
  /** The ids a list read returned. */
  resourceIds?: string[];
  /** Small non-secret facts: a reason, a field name. Never a token, a password or clinical text. */
  details?: Record<string, string | number | boolean | null>;
  /** Overrides the meta's actor: a login acts for the account it signs in. */
  actor?: AuditMeta["actor"];
}

/**
 * The fields a change names (sent, null included), comma-separated for an audit event's details:
 * events list what changed, never the values.
 */
export function namedFields(changes: object): string {
  return Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key)
    .join(",");
}

/** What a change records besides its own rows: audit events and domain events, in its transaction. */
export interface ChangeRecorder {
  audit(entry: AuditEntry): void;
  emit<K extends EventName>(type: K, payload: DomainEvents[K]): void;
  /**
   * Refuses the change: the transaction rolls back, then the refusal is audited in a transaction
   * of its own (so the rollback cannot erase it), then `error` reaches the caller.
   */
  refuse(entry: AuditEntry, error: DomainError): never;
}

class Refusal extends Error {
  override readonly name = "Refusal";
  constructor(
    readonly entry: AuditEntry,
    readonly error: DomainError,
  ) {
    super(error.message);
  }
}

function auditRow(meta: AuditMeta, entry: AuditEntry): NewAuditEvent {
  const actor = entry.actor === undefined ? meta.actor : entry.actor;
  return {
    ...pageReader({ ...meta, actor }),
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    patientId: entry.patientId ?? null,
    resourceIds: entry.resourceIds ?? null,
    outcome: entry.outcome,
    details: entry.details ?? null,
  };
}

interface RecordedEvent {
  type: EventName;
  payload: Record<string, unknown>;
  publish(): void;
}

/**
 * The one way to change data (or read PHI): runs `work` in a transaction together with the audit
 * events and the domain events it records, so all of them commit or none does. Domain events go
 * to the `domain_events` outbox in that transaction and reach the in-process EventBus after the
 * commit. No service inserts into `audit_events` or `domain_events` any other way. `config` sets
 * the transaction's isolation: REPEATABLE READ for a read of many statements that must agree
 * with each other (a patient's data export). Never READ ONLY: the audit row is written in it.
 */
export async function auditedTransaction<T>(
  deps: Pick<Deps, "db" | "events">,
  meta: AuditMeta,
  work: (tx: Transaction, record: ChangeRecorder) => Promise<T>,
  config?: Omit<PgTransactionConfig, "accessMode">,
): Promise<T> {
  const events: RecordedEvent[] = [];
  try {
    const result = await deps.db.transaction(async (tx) => {
      const audits: AuditEntry[] = [];
      const recorder: ChangeRecorder = {
        audit: (entry) => {
          audits.push(entry);
        },
        emit: (type, payload) => {
          events.push({ type, payload: { ...payload }, publish: () => deps.events.publish(type, payload) });
        },
        refuse: (entry, error) => {
          throw new Refusal(entry, error);
        },
      };
      const value = await work(tx, recorder);
      if (audits.length) await tx.insert(auditEvents).values(audits.map((entry) => auditRow(meta, entry)));
      if (events.length) {
        await tx
          .insert(domainEvents)
          .values(
            events.map(({ type, payload }) => ({ type, payload, actorId: meta.actor?.userId ?? null })),
          );
      }
      return value;
    }, config);
    for (const event of events) event.publish();
    return result;
  } catch (error) {
    if (error instanceof Refusal) {
      await auditAttempt(deps, meta, error.entry);
      throw error.error;
    }
    throw error;
  }
}

/**
 * Audits an attempt that changes nothing — a refusal, a failed login — in a transaction of its
 * own. Use `record.refuse` inside an `auditedTransaction`.
 */
export async function auditAttempt(
  deps: { db: Database },
  meta: AuditMeta,
  entry: AuditEntry,
): Promise<void> {
  await deps.db.insert(auditEvents).values(auditRow(meta, entry));
}

/** What a list read's audit row takes from the page it audits, as SQL over that page. */
export interface ShownOnPage {
  /** The ids the page returns (a uuid[]). */
  resourceIds: SQL;
  /** The patient whose health information the page shows, when it is one patient's. */
  patientId: SQL | Placeholder | string | null;
}

/** Who read a page, from where: the meta's columns of an audit row, as values or placeholders. */
export interface PageReader {
  actorId: string | null | Placeholder;
  actorRole: string | null | Placeholder;
  requestId: string | Placeholder;
  ip: string | null | Placeholder;
}

/** The reader of a statement built for one request (and the columns of every audit row). */
export function pageReader(meta: AuditMeta) {
  return {
    actorId: meta.actor?.userId ?? null,
    actorRole: meta.actor?.role ?? null,
    requestId: meta.requestId,
    ip: meta.origin.ip,
  } satisfies PageReader;
}

/** The reader of a prepared statement (platform/prepared.ts): `pageReaderValues` binds it. */
export const PREPARED_PAGE_READER: PageReader = {
  actorId: sql.placeholder("auditActorId"),
  actorRole: sql.placeholder("auditActorRole"),
  requestId: sql.placeholder("auditRequestId"),
  ip: sql.placeholder("auditIp"),
};

export function pageReaderValues(meta: AuditMeta): Record<string, string | null> {
  const { actorId, actorRole, requestId, ip } = pageReader(meta);
  return { auditActorId: actorId, auditActorRole: actorRole, auditRequestId: requestId, auditIp: ip };
}

/**
 * A list read's audit row as a data-modifying CTE (`db.with(page, row)`): the statement that
 * reads the page writes the row, and one statement commits as one transaction — a page of PHI and
 * its audit row, without auditedTransaction's BEGIN and COMMIT round trips, for the busiest reads.
 * A value of the page that then fails to decrypt is audited after it (a FAILURE event): the trail
 * may name a read the client did not get, never miss one it did.
 */
export function auditRowOfPage(
  db: Executor,
  reader: PageReader,
  entry: Omit<AuditEntry, "resourceIds" | "patientId" | "actor">,
  shown: ShownOnPage,
) {
  const row = {
    ...reader,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    patientId: shown.patientId,
    resourceIds: shown.resourceIds,
    outcome: entry.outcome,
    details: entry.details ?? null,
  };
  return db.$with("audit_row", {}).as(db.insert(auditEvents).values(row).getSQL());
}
