import type { Executor } from "@medical/db";
import { type AuditOutcome, auditEvents } from "@medical/db/schema";
import type { Actor } from "../auth/actor.ts";
import type { RequestOrigin } from "../context.ts";

/** Who did it and from where; services receive it from the procedure. */
export interface AuditMeta {
  actor: Pick<Actor, "userId" | "role"> | null;
  requestId: string;
  origin: RequestOrigin;
}

export interface AuditEntry {
  action: string;
  outcome: AuditOutcome;
  targetType?: "user" | "session" | "patient" | "doctor" | "specialty" | "review";
  targetId?: string | null;
  /** Small non-secret facts: a reason, a field name. Never a token, a password or clinical text. */
  details?: Record<string, string | number | boolean | null>;
}

/** Appends one audit event, in the caller's transaction when it passes one. */
export async function recordAudit(db: Executor, meta: AuditMeta, entry: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({
    actorId: meta.actor?.userId ?? null,
    actorRole: meta.actor?.role ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    outcome: entry.outcome,
    requestId: meta.requestId,
    ip: meta.origin.ip,
    details: entry.details ?? null,
  });
}
