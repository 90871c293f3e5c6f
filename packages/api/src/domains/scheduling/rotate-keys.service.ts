import { randomUUID } from "node:crypto";
import type { Executor } from "@medical/db";
import { appointments } from "@medical/db/schema";
import { and, asc, eq, gt, isNotNull, isNull, or } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import { noRotation, type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { appointmentTextContext } from "./appointment-phi.ts";

/**
 * The next `size` appointments with encrypted text after id `after`, of everybody: unscoped on
 * purpose, key rotation is an operator's job with no actor and must reach every row.
 */
function unsafeTextBatch(db: Executor, after: string | undefined, size: number) {
  return db
    .select({
      id: appointments.id,
      reason: appointments.reason,
      cancellationReason: appointments.cancellationReason,
    })
    .from(appointments)
    .where(
      and(
        or(isNotNull(appointments.reason), isNotNull(appointments.cancellationReason)),
        after ? gt(appointments.id, after) : undefined,
      ),
    )
    .orderBy(asc(appointments.id))
    .limit(size);
}

/**
 * `pnpm keys:rotate`, appointments: re-encrypts every reason and cancellation reason not under the
 * current key, a batch of `batchSize` rows per audited transaction. A row changed meanwhile is
 * skipped (run again); a row whose text no key decrypts is counted and left as it is.
 */
export async function rotateAppointmentKeys(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  const batchSize = options.batchSize ?? 500;
  const counts = noRotation();
  const audit: AuditMeta = {
    actor: null,
    requestId: `keys-rotate-${randomUUID()}`,
    origin: { ip: null, userAgent: "pnpm keys:rotate" },
  };
  let after: string | undefined;
  let done = false;
  while (!done) {
    done = await auditedTransaction(deps, audit, async (tx, record) => {
      const batch = await unsafeTextBatch(tx, after, batchSize);
      after = batch.at(-1)?.id;
      for (const row of batch) {
        counts.scanned += 1;
        const reason = reencrypt(deps.fieldCipher, row.reason, appointmentTextContext(row.id, "reason"));
        const cancellation = reencrypt(
          deps.fieldCipher,
          row.cancellationReason,
          appointmentTextContext(row.id, "cancellation_reason"),
        );
        if (reason.kind === "unreadable" || cancellation.kind === "unreadable") counts.unreadable += 1;
        else if (reason.kind === "current" && cancellation.kind === "current") counts.current += 1;
        else {
          const updated = await tx
            .update(appointments)
            .set({
              ...(reason.kind === "rotated" ? { reason: reason.value } : {}),
              ...(cancellation.kind === "rotated" ? { cancellationReason: cancellation.value } : {}),
            })
            .where(
              and(
                eq(appointments.id, row.id),
                row.reason === null ? isNull(appointments.reason) : eq(appointments.reason, row.reason),
                row.cancellationReason === null
                  ? isNull(appointments.cancellationReason)
                  : eq(appointments.cancellationReason, row.cancellationReason),
              ),
            )
            .returning({ id: appointments.id });
          if (updated.length) counts.rotated += 1;
          else counts.skipped += 1;
        }
      }
      if (batch.length) return false;
      record.audit({
        action: "appointment.text.rotate",
        outcome: counts.unreadable ? "FAILURE" : "SUCCESS",
        targetType: "appointment",
        details: { fieldGroup: "reason", ...counts },
      });
      return true;
    });
  }
  return counts;
}
