import { appointments } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { createFieldCipher } from "#platform/crypto/field-cipher.ts";
import { TEST_ENCRYPTION_KEY } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { openAppointmentText } from "./appointment-phi.ts";
import { rotateAppointmentKeys } from "./rotate-keys.service.ts";

const file = useFileDeps();

describe("pnpm keys:rotate on appointments", () => {
  test("re-encrypts reasons and cancellation reasons under the new key, leaves unreadable rows alone", async () => {
    const old = file.deps.fieldCipher;
    const { doctor, user } = await makeDoctor(file.db);
    const { patient } = await makePatient(file.db);
    const parties = { doctorId: doctor.id, patientId: patient.id, createdBy: user.id };
    const booked = await makeAppointment(file.db, {
      ...parties,
      reason: "Migraine",
      cipher: old,
    });
    const cancelled = await makeAppointment(file.db, {
      ...parties,
      startsAt: new Date(Date.now() + 12 * 86_400_000),
      status: "CANCELLED",
      cancelledAt: new Date(),
      cancelledBy: user.id,
      cancelledByRole: "DOCTOR",
      reason: "Suivi",
      cancellationReason: "Absent",
      cipher: old,
    });
    const stranger = createFieldCipher([{ id: "lost", key: Buffer.alloc(32, 9) }]);
    const unreadable = await makeAppointment(file.db, {
      ...parties,
      startsAt: new Date(Date.now() + 14 * 86_400_000),
      reason: "Perdu",
      cipher: stranger,
    });

    const rotating = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }, TEST_ENCRYPTION_KEY]);
    const counts = await rotateAppointmentKeys({ ...file.deps, fieldCipher: rotating }, { batchSize: 2 });
    expect(counts).toMatchObject({ rotated: 2, unreadable: 1, skipped: 0 });
    expect(counts.scanned).toBeGreaterThanOrEqual(3);

    const onlyNew = createFieldCipher([{ id: "new1", key: Buffer.alloc(32, 3) }]);
    const [one] = await file.db.select().from(appointments).where(eq(appointments.id, booked.id));
    const [two] = await file.db.select().from(appointments).where(eq(appointments.id, cancelled.id));
    const [three] = await file.db.select().from(appointments).where(eq(appointments.id, unreadable.id));
    expect(one && openAppointmentText(onlyNew, one, "reason", one.reason)).toBe("Migraine");
    expect(two && openAppointmentText(onlyNew, two, "cancellation_reason", two.cancellationReason)).toBe(
      "Absent",
    );
    expect(three?.reason).toBe(unreadable.reason);
    await expect(rotateAppointmentKeys({ ...file.deps, fieldCipher: rotating })).resolves.toMatchObject({
      rotated: 0,
      unreadable: 1,
    });
  });
});
