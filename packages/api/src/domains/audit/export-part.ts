import { auditEvents } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { ExportPart } from "#platform/export-part.ts";
import { accessLogEntryExample, ZAccessLogEntry } from "./access-log.schema.ts";
import { accessLogList, selectAccessLogRows, toAccessLogEntry } from "./access-log.service.ts";

/** An entry as the API answers it: the schema's type, which the SDK's declarations spell out. */
type AccessLogEntryDto = z.infer<typeof ZAccessLogEntry>;

/**
 * The access log section of a patient's data export: every entry `GET /patients/me/access-log`
 * lists, oldest first — who read or changed the file, and who tried to — as the patient sees it
 * (their own actions as SELF, another patient by role only), whoever exports it. Keyset pages of
 * `audit_events_patient_time`; reads by patient (the export service decides who exports whose
 * file). The export's own event is written after this snapshot: the next export lists it.
 */
export const accessLogExportPart: ExportPart<AccessLogEntryDto[]> = {
  schema: z.array(ZAccessLogEntry).meta({
    description: "Who read or changed the patient's file, and who tried to, oldest first",
  }),
  example: [accessLogEntryExample],
  async read(tx, subject) {
    const entries: AccessLogEntryDto[] = [];
    const pages = accessLogList.pages({ sort: "occurredAt", order: "asc" }, ({ where, orderBy, limit }) =>
      selectAccessLogRows(tx, and(eq(auditEvents.patientId, subject.patientId), where))
        .orderBy(...orderBy)
        .limit(limit),
    );
    for await (const rows of pages) entries.push(...rows.map((row) => toAccessLogEntry(row, subject)));
    return entries;
  },
  counts: (section) => ({ accessLogEntries: section.length }),
  // The log holds no encrypted text.
  isUnreadable: () => false,
};
