import { patients, users } from "@medical/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { treatedByDoctorSql } from "#domains/scheduling/public.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { patientVisibleTo } from "./access.ts";
import { type PatientDto, type PatientRow, toPatientDto } from "./patient-dto.ts";
import { selectPatientRows } from "./patient-rows.ts";

type PatientSort = "createdAt" | "lastName";

/** `GET /patients`: newest first by default, or by last name. */
export const patientList = defineList<PatientRow, PatientSort>({
  sorts: { createdAt: patients.createdAt, lastName: users.lastName },
  id: patients.id,
  defaultSort: "createdAt",
  defaultOrder: "desc",
});

export interface ListPatientsInput extends ListInput<PatientSort> {
  q?: string;
  city?: string;
  /** Deactivated profiles are hidden unless asked for (`isActive=false`). */
  isActive?: boolean;
}

/**
 * Role-scoped list (ADMIN and STAFF all, a DOCTOR the patients they treat), keyset pages. Items
 * never carry clinical fields: reading them is one audited profile read at a time.
 */
export async function listPatients(
  deps: Deps,
  actor: Actor,
  input: ListPatientsInput,
): Promise<Page<PatientDto>> {
  const filters = and(
    // A doctor's list starts from their appointments, not from every patient (see treatedByDoctorSql).
    actor.role === "DOCTOR" ? treatedByDoctorSql(actor, patients.id) : undefined,
    eq(patients.isActive, input.isActive ?? true),
    input.q ? sql`${users.searchKey} like '%' || f_search_key(${input.q}) || '%'` : undefined,
    input.city ? sql`f_search_key(${patients.city}) = f_search_key(${input.city})` : undefined,
  );
  const { items, nextCursor } = await patientList.page(input, ({ where, orderBy, limit }) =>
    selectPatientRows(deps.db)
      .where(and(filters, patientVisibleTo(actor), where))
      .orderBy(...orderBy)
      .limit(limit),
  );
  return { items: items.map((row) => toPatientDto(row, actor)), nextCursor };
}
