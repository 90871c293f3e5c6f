import { AUDIT_OUTCOMES, ROLES } from "@medical/db/schema";
import { z } from "zod";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { pageOf } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { ACCESS_LOG_ACTOR_KINDS, accessLogList } from "./access-log.service.ts";
import { MAX_AUDIT_ID } from "./audit.schema.ts";

/** The REST route; a literal path under `/patients/me`, mounted before `/patients/{id}`. */
export const accessLogRoutes = {
  accessLog: routeMeta(["patients"])(
    "GET",
    "/patients/me/access-log",
    "Who read or changed the caller's file (PATIENT)",
    {
      description:
        "Every audited read, change or refused attempt about the caller's patient profile, newest first " +
        "(keyset pages): the action, its outcome, when, and who — their name and role for the clinic's " +
        "staff, only the role for another patient, `SYSTEM` for work without a signed-in account. The " +
        "caller's own actions are included unless `includeOwn=false`; reads of this log are audited but " +
        "not listed in it. Empty until the caller has a patient profile.",
    },
  ),
};

const ZEntry = z.object({
  id: z.number().int().min(1).max(MAX_AUDIT_ID),
  occurredAt: ZTimestamp,
  action: z
    .string()
    .meta({ description: "What happened, e.g. `patient.clinical.read`, `appointment.booked`" }),
  outcome: z.enum(AUDIT_OUTCOMES).meta({ description: "DENIED: the attempt was refused" }),
  resourceType: z.string().nullable().meta({ description: "What was touched: `patient`, `appointment`, …" }),
  actor: z.object({
    kind: z.enum(ACCESS_LOG_ACTOR_KINDS).meta({
      description:
        "SELF: the caller; CLINIC: a member of the clinic (named); OTHER_PATIENT: another patient " +
        "(never named); SYSTEM: no signed-in account; UNKNOWN: an account that no longer exists",
    }),
    name: z.string().nullable().meta({ description: "First and last name, for SELF and CLINIC" }),
    role: z.enum(ROLES).nullable().meta({ description: "The actor's role when it happened" }),
  }),
});

/** The document's example entry (a patient's data export shows it too). */
export const accessLogEntryExample: z.infer<typeof ZEntry> = {
  id: 1842,
  occurredAt: new Date("2026-12-01T08:30:00.000Z"),
  action: "patient.clinical.read",
  outcome: "SUCCESS",
  resourceType: "patient",
  actor: { kind: "CLINIC", name: "Amina Benali", role: "DOCTOR" },
};

export const ZAccessLogEntry = named(ZEntry, "AccessLogEntry", {
  description: "One access to the caller's file",
  example: accessLogEntryExample,
});

// Described before `.optional()`: the REST generator rebuilds optional query wrappers.
export const ZAccessLogInput = accessLogList.input.extend({
  includeOwn: z
    .boolean()
    .meta({ description: "false leaves out what the caller did themselves (default true)" })
    .optional(),
});

export const ZAccessLogPage = pageOf(ZAccessLogEntry, "AccessLogPage");
