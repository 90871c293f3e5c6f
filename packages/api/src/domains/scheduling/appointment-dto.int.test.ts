import { appointments } from "@medical/db/schema";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import {
  selectAppointmentRows,
  toAppointmentDtos,
  toAppointmentSummaries,
  ZAppointmentDto,
  ZAppointmentSummary,
} from "./appointment-dto.ts";
import { AppointmentTextUnreadable } from "./appointment-phi.ts";

const file = useFileDeps();

async function world() {
  const [cardio, derma] = [await makeSpecialty(file.db), await makeSpecialty(file.db)];
  const { doctor, user } = await makeDoctor(file.db, { specialtyIds: [cardio.id, derma.id] });
  const { patient } = await makePatient(file.db);
  return { doctor, user, patient };
}

describe("the appointment DTOs", () => {
  test("carry both parties, the doctor's specialties, the reason decrypted and the cancellation", async () => {
    const { doctor, user, patient } = await world();
    const cipher = file.deps.fieldCipher;
    const booked = await makeAppointment(file.db, {
      doctorId: doctor.id,
      patientId: patient.id,
      createdBy: user.id,
      // Before the cancelled one, whatever the factory's default start has reached in this process.
      startsAt: new Date(Date.now() + 2 * 86_400_000),
      reason: "Contrôle tensionnel",
      cipher,
    });
    const cancelledAt = new Date();
    const cancelled = await makeAppointment(file.db, {
      doctorId: doctor.id,
      patientId: patient.id,
      createdBy: user.id,
      startsAt: new Date(Date.now() + 9 * 86_400_000),
      status: "CANCELLED",
      cancelledBy: user.id,
      cancelledByRole: "DOCTOR",
      cancelledAt,
      cancellationReason: "Congrès",
      cipher,
    });
    const rows = await selectAppointmentRows(file.db)
      .where(inArray(appointments.id, [booked.id, cancelled.id]))
      .orderBy(appointments.startsAt);
    const [dto, cancelledDto] = toAppointmentDtos(cipher, rows);
    expect(ZAppointmentDto.parse(dto)).toEqual(dto);
    expect(dto).toMatchObject({
      id: booked.id,
      doctor: { id: doctor.id, firstName: "Karim" },
      patient: { id: patient.id, firstName: "Amina" },
      timezone: "Africa/Algiers",
      status: "SCHEDULED",
      reason: "Contrôle tensionnel",
      cancellation: null,
    });
    expect(dto?.doctor.specialties).toHaveLength(2);
    expect(Object.keys(dto ?? {})).toEqual([
      "id",
      "doctor",
      "patient",
      "startsAt",
      "endsAt",
      "timezone",
      "status",
      "reason",
      "cancellation",
      "createdAt",
      "updatedAt",
    ]);
    expect(cancelledDto?.cancellation).toEqual({
      by: { userId: user.id, role: "DOCTOR" },
      reason: "Congrès",
      at: cancelledAt,
    });

    const summaries = toAppointmentSummaries(cipher, rows);
    expect(summaries[0]).not.toHaveProperty("reason");
    expect(ZAppointmentSummary.parse(summaries[1])).toEqual(summaries[1]);
  });

  test("a reason copied from another appointment does not decrypt: it is bound to its row", async () => {
    const { doctor, user, patient } = await world();
    const cipher = file.deps.fieldCipher;
    const parties = { doctorId: doctor.id, patientId: patient.id, createdBy: user.id };
    const source = await makeAppointment(file.db, {
      ...parties,
      reason: "Secret",
      cipher,
    });
    const target = await makeAppointment(file.db, {
      ...parties,
      startsAt: new Date(Date.now() + 20 * 86_400_000),
    });
    await file.db.update(appointments).set({ reason: source.reason }).where(eq(appointments.id, target.id));
    const rows = await selectAppointmentRows(file.db).where(eq(appointments.id, target.id));
    expect(() => toAppointmentDtos(cipher, rows)).toThrow(AppointmentTextUnreadable);
    // The ciphertext at rest is no plaintext.
    expect(source.reason).not.toContain("Secret");
  });
});
