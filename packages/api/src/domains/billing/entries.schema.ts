import { BILLING_STATUSES } from "@medical/db/schema";
import { z } from "zod";
import { requireAChange, text } from "#platform/fields/fields.ts";
import {
  IDEMPOTENCY_ERRORS,
  idempotencyNote,
  KEY_TRANSPORTS,
  ZIdempotencyHeader,
  ZIdempotencyKey,
} from "#platform/idempotency/idempotency.ts";
import { pageOf } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { ZBilledMoney, ZCalendarDate, ZPastDate } from "./billing-fields.ts";
import { ZBillingEntryDto } from "./entry-dto.ts";
import { entryList } from "./lists.ts";
import { ENTRY_TARGETS } from "./transitions.ts";

export const MAX_DESCRIPTION_LENGTH = 500;

export const route = routeMeta(["billing"]);

/** Who sees a patient's billing, said once for every route of the domain. */
export const seers =
  "The patient, the doctors who treat them (a SCHEDULED, COMPLETED or NO_SHOW appointment together), STAFF and ADMIN; anyone else gets NOT_FOUND, as for a row that does not exist.";
const listed =
  "Newest first (`order=asc` for the oldest), keyset pages (`cursor` from the previous page). Descriptions are PHI: every page read is audited with the ids it returned.";
const table = "Entries move `UNPAID → PAID | VOID`; PAID and VOID are final (409 INVALID_TRANSITION).";

/** The REST route of each procedure; the literal paths come before `/billing/{id}` in the router. */
export const entryRoutes = {
  list: route(
    "GET",
    "/billing",
    "Billing entries (STAFF, ADMIN; a DOCTOR those of the patients they treat)",
    {
      description: `${listed} \`patientId\` and \`appointmentId\` narrow it; \`status\` keeps those statuses. A PATIENT uses \`/billing/me\` (403 here).`,
    },
  ),
  create: route("POST", "/billing", "Issue a billing entry to a patient (STAFF, ADMIN)", {
    description: `For the patient \`patientId\` (404 unknown), optionally for one of their appointments (\`appointmentId\`: another patient's, or an unknown one, is 400). \`issueDate\` defaults to today in the clinic's zone and is never in the future; \`dueDate\` is on or after it. Writes the domain event \`bill.issued\`. ${idempotencyNote("issues no second bill")}`,
    errors: ["NOT_FOUND", ...IDEMPOTENCY_ERRORS],
    requestHeaders: ZIdempotencyHeader,
    successStatus: 201,
    successMessage: "Bill issued",
  }),
  mine: route("GET", "/billing/me", "The caller's billing entries (PATIENT)", {
    description: `${listed} Empty until the caller has a patient profile.`,
  }),
  byPatient: route("GET", "/billing/patient/{patientId}", "One patient's billing entries", {
    description: `${seers} ${listed}`,
    errors: ["NOT_FOUND"],
  }),
  get: route("GET", "/billing/{id}", "One billing entry", {
    description: `${seers} The read is audited.`,
    errors: ["NOT_FOUND"],
  }),
  update: route(
    "PATCH",
    "/billing/{id}",
    "Change a billing entry: its status, description or due date (STAFF, ADMIN)",
    {
      description: `${table} \`status: PAID\` takes an optional \`paidDate\` (default today, never in the future). \`description\` and \`dueDate\` (null clears it) change while the entry is UNPAID. An entry with live claims (SUBMITTED, APPROVED or PAID) cannot be voided: reject them first.`,
      errors: ["NOT_FOUND", "INVALID_TRANSITION"],
      successMessage: "Billing entry updated",
    },
  ),
};

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
const ZStatusFilter = z
  .array(z.enum(BILLING_STATUSES))
  .min(1)
  .max(BILLING_STATUSES.length)
  .meta({ description: "One status or several (repeat it: `status=UNPAID&status=PAID`)" })
  .optional();

export const ZListEntriesInput = entryList.input.extend({
  status: ZStatusFilter,
  patientId: z.uuid().meta({ description: "One patient's entries" }).optional(),
  appointmentId: z.uuid().meta({ description: "The entries of one appointment" }).optional(),
});
export type TListEntriesInput = z.infer<typeof ZListEntriesInput>;

export const ZMyEntriesInput = entryList.input.extend({ status: ZStatusFilter });

export const ZPatientEntriesInput = entryList.input.extend({
  patientId: z.uuid().meta({ description: "The patient profile's id" }),
  status: ZStatusFilter,
});

export const ZBillingEntryPage = pageOf(ZBillingEntryDto, "BillingEntryPage");

const ZDescription = text(MAX_DESCRIPTION_LENGTH, { min: 1 }).meta({
  description: `What is billed, at most ${MAX_DESCRIPTION_LENGTH} characters (PHI: encrypted at rest, reads audited)`,
});

export const ZCreateEntryInput = named(
  z
    .strictObject({
      patientId: z.uuid(),
      appointmentId: z.uuid().meta({ description: "One of the patient's appointments" }).optional(),
      amount: ZBilledMoney,
      description: ZDescription,
      issueDate: ZPastDate.meta({ description: "Default: today in the clinic's zone" }).optional(),
      dueDate: ZCalendarDate.meta({ description: "On or after the issue date" }).optional(),
      idempotencyKey: ZIdempotencyKey.optional(),
    })
    .refine((input) => !input.issueDate || !input.dueDate || input.dueDate >= input.issueDate, {
      message: "dueDate must not be before issueDate",
      path: ["dueDate"],
    }),
  "CreateBillingEntryInput",
  {
    description: `A bill for a patient, optionally for one of their appointments. ${KEY_TRANSPORTS}`,
    example: {
      patientId: "7d3e9a1c-2b4f-4e6a-8c5d-1f9b3a7e2c64",
      appointmentId: "c4e8a2f6-3b7d-4a1e-9c5f-8d2b6e4a1f73",
      amount: { amountMinor: 300_000, currency: "DZD" },
      description: "Consultation de cardiologie et ECG",
      dueDate: "2026-12-31",
    },
  },
);
export type TCreateEntryInput = Omit<z.infer<typeof ZCreateEntryInput>, "idempotencyKey">;

export const ZUpdateEntryInput = named(
  requireAChange(
    z.strictObject({
      id: z.uuid(),
      status: z.enum(ENTRY_TARGETS).meta({ description: "PAID or VOID, from UNPAID only" }).optional(),
      paidDate: ZPastDate.meta({ description: "With `status: PAID` only; default today" }).optional(),
      description: ZDescription.optional(),
      dueDate: ZCalendarDate.nullable().meta({ description: "Null clears it" }).optional(),
    }),
    "id",
  ).refine((input) => input.paidDate === undefined || input.status === "PAID", {
    message: "paidDate goes with status PAID only",
    path: ["paidDate"],
  }),
  "UpdateBillingEntryInput",
  {
    description: "A status change and/or new description and due date of an UNPAID entry",
    example: { id: "0b6f3c2e-7d4a-4c1b-9e8f-5a2d6c4b1e90", status: "PAID", paidDate: "2026-12-05" },
  },
);
export type TUpdateEntryInput = z.infer<typeof ZUpdateEntryInput>;

export const ZEntryIdInput = z.strictObject({ id: z.uuid() });
