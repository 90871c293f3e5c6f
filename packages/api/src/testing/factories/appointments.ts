import { randomUUID } from "node:crypto";
import type { Database } from "@medical/db";
import { type Appointment, appointments, type NewAppointment } from "@medical/db/schema";
import { sealAppointmentText } from "#domains/scheduling/appointment-phi.ts";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";

export interface MakeAppointmentOverrides
  extends Partial<Omit<NewAppointment, "doctorId" | "patientId" | "reason" | "cancellationReason">> {
  /** Plain text, encrypted with `cipher` under the new row's id as the service does. */
  reason?: string;
  cancellationReason?: string;
  cipher?: FieldCipher;
}

/**
 * An appointment written straight to the table (no booking rule applies): SCHEDULED, a week from
 * now, 30 minutes, booked by `createdBy` (the doctor's user unless given). Overrides win.
 */
export async function makeAppointment(
  db: Database,
  parties: { doctorId: string; patientId: string; createdBy: string },
  overrides: MakeAppointmentOverrides = {},
): Promise<Appointment> {
  const { reason, cancellationReason, cipher, ...columns } = overrides;
  const id = columns.id ?? randomUUID();
  const startsAt = columns.startsAt ?? new Date(Date.now() + 7 * 86_400_000);
  if ((reason || cancellationReason) && !cipher) throw new Error("makeAppointment: text needs a cipher");
  const [row] = await db
    .insert(appointments)
    .values({
      ...parties,
      id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 30 * 60_000),
      timezone: "Africa/Algiers",
      reason: cipher ? sealAppointmentText(cipher, id, "reason", reason) : null,
      cancellationReason: cipher
        ? sealAppointmentText(cipher, id, "cancellation_reason", cancellationReason)
        : null,
      ...columns,
    })
    .returning();
  if (!row) throw new Error("makeAppointment inserted nothing");
  return row;
}
