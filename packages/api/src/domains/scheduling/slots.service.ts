import { DOCTOR_NOT_FOUND } from "#domains/doctors/public.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { availabilityOf, bookableRange, bookingWindowOf, busyOf, findBookableDoctor } from "./offer.ts";
import { generateSlots, type SlotSchedule } from "./slots.ts";

/**
 * Public: the bookable slots of a doctor the public sees, over local dates `from`…`to` (the schema
 * bounds the range): their hours and exceptions minus the past, the notice, the horizon and their
 * active appointments. Dates where nothing can be bookable read nothing but the doctor.
 */
export async function listSlots(
  deps: Pick<Deps, "db" | "clock">,
  doctorId: string,
  range: { from: string; to: string },
): Promise<SlotSchedule> {
  const doctor = await findBookableDoctor(deps.db, doctorId);
  if (!doctor) throw new DomainError("NOT_FOUND", DOCTOR_NOT_FOUND);
  const now = deps.clock.now();
  const bookable = bookableRange(doctor, now, range);
  const [availability, busy] = bookable
    ? await Promise.all([availabilityOf(deps.db, doctor, bookable), busyOf(deps.db, doctor.id, bookable)])
    : [
        {
          timezone: doctor.timezone,
          defaultSlotMinutes: doctor.appointmentMinutes,
          rules: [],
          exceptions: [],
        },
        [],
      ];
  return generateSlots({ ...availability, ...bookingWindowOf(doctor, now), ...range, busy });
}
