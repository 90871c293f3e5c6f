import type { Executor } from "@medical/db";
import { appointments } from "@medical/db/schema";
import { and, asc, eq, gt, isNotNull, isNull, or } from "drizzle-orm";
import { rotateAudited } from "#platform/crypto/rotate-audited.ts";
import { type RotationCounts, reencrypt } from "#platform/crypto/rotation.ts";
import type { Deps } from "#platform/deps.ts";
import { appointmentTextContext } from "./appointment-phi.ts";

/** The next `size` appointments with encrypted text after id `after`, of everybody (see rotateAudited). */
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
 * current key, in audited batches of `batchSize` rows (see rotateAudited).
 */
export function rotateAppointmentKeys(
  deps: Pick<Deps, "db" | "events" | "fieldCipher">,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  return rotateAudited(
    deps,
    {
      batch: unsafeTextBatch,
      async rotate(tx, row, cipher) {
        const reason = reencrypt(cipher, row.reason, appointmentTextContext(row.id, "reason"));
        const cancellation = reencrypt(
          cipher,
          row.cancellationReason,
          appointmentTextContext(row.id, "cancellation_reason"),
        );
        if (reason.kind === "unreadable" || cancellation.kind === "unreadable") return "unreadable";
        if (reason.kind === "current" && cancellation.kind === "current") return "current";
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
        return updated.length ? "rotated" : "skipped";
      },
      audit: { action: "appointment.text.rotate", targetType: "appointment", fieldGroup: "reason" },
    },
    options,
  );
}
