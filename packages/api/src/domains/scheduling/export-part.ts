import { appointments } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { ExportPart } from "#platform/export-part.ts";
import {
  type AppointmentDetail,
  appointmentDetailExample,
  selectAppointmentRows,
  toAppointmentDetails,
  ZAppointmentDetail,
} from "./appointment-dto.ts";
import { AppointmentTextUnreadable } from "./appointment-phi.ts";
import { appointmentList } from "./views.service.ts";

/**
 * The appointments section of a patient's data export: every appointment of the patient, oldest
 * first, as `GET /appointments/{id}` answers it (reason, cancellation, history). Keyset pages of
 * the patient's index; reads by patient, without the access predicate (the export service
 * decides who exports whose file).
 */
export const appointmentsExportPart: ExportPart<AppointmentDetail[]> = {
  schema: z.array(ZAppointmentDetail).meta({
    description: "Every appointment of the patient, cancelled ones included, oldest first, with its history",
  }),
  example: [appointmentDetailExample],
  async read(tx, subject, cipher) {
    const details: AppointmentDetail[] = [];
    const pages = appointmentList.pages({ sort: "startsAt", order: "asc" }, ({ where, orderBy, limit }) =>
      selectAppointmentRows(tx)
        .where(and(eq(appointments.patientId, subject.patientId), where))
        .orderBy(...orderBy)
        .limit(limit),
    );
    for await (const rows of pages) details.push(...(await toAppointmentDetails(tx, cipher, rows)));
    return details;
  },
  counts: (section) => ({
    appointments: section.length,
    appointmentChanges: section.reduce((sum, appointment) => sum + appointment.history.length, 0),
  }),
  isUnreadable: (error) => error instanceof AppointmentTextUnreadable,
};
