import type { Executor } from "@medical/db";
import { type AppointmentStatus, appointments } from "@medical/db/schema";
import { and, asc, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { type AuditMeta, auditRowOfPage, pageReader } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type ListInput, type Order, type Page } from "#platform/list.ts";
import { appointmentVisibleTo } from "./access.ts";
import {
  type AppointmentRow,
  type AppointmentSummary,
  selectAppointmentRows,
  toAppointmentSummaries,
} from "./appointment-dto.ts";
import { auditingUnreadable } from "./appointment-phi.ts";

/**
 * The three views' keyset: by start, then id — the tail of appointments_patient_start,
 * appointments_doctor_start and appointments_start, so a deep page is one range scan like the
 * first (views-indexes.int.test.ts EXPLAINs each).
 */
export const appointmentList = defineList<AppointmentRow, "startsAt">({
  sorts: { startsAt: { column: appointments.startsAt, valueOf: (row) => row.appointment.startsAt } },
  id: { column: appointments.id, valueOf: (row) => row.appointment.id },
  defaultSort: "startsAt",
  defaultOrder: "asc",
});

/** Who the view is for: a PATIENT's own, a DOCTOR's own, or STAFF and ADMIN's of anyone. */
export type AppointmentView = "patient" | "doctor" | "all";

export interface AppointmentFilters {
  /**
   * `upcoming`: starting now or later; `past`: started before now. An appointment moves to the
   * past at its start — when COMPLETED and NO_SHOW become possible — so the two never overlap.
   */
  when?: "upcoming" | "past" | undefined;
  status?: AppointmentStatus[] | undefined;
  /** Starting at or after `from`, and before `to`. */
  from?: Date | undefined;
  to?: Date | undefined;
  /** STAFF and ADMIN's view only. */
  doctorId?: string | undefined;
  patientId?: string | undefined;
}

export interface ListAppointmentsInput extends Omit<ListInput<"startsAt">, "order">, AppointmentFilters {
  /** Default: descending for `when=past` (the latest first), ascending otherwise. */
  order?: Order | undefined;
}

/** The keyset input with its order settled. */
function keysetInput(input: ListAppointmentsInput): ListInput<"startsAt"> {
  const order = input.order ?? (input.when === "past" ? "desc" : "asc");
  return { limit: input.limit, cursor: input.cursor, sort: input.sort, order };
}

function filtersOf(
  actor: Pick<Actor, "userId" | "role">,
  input: AppointmentFilters,
  now: Date,
): SQL | undefined {
  const { startsAt } = appointments;
  return and(
    appointmentVisibleTo(actor),
    input.doctorId ? eq(appointments.doctorId, input.doctorId) : undefined,
    input.patientId ? eq(appointments.patientId, input.patientId) : undefined,
    input.when === "upcoming" ? gte(startsAt, now) : undefined,
    input.when === "past" ? lt(startsAt, now) : undefined,
    input.from ? gte(startsAt, input.from) : undefined,
    input.to ? lt(startsAt, input.to) : undefined,
    input.status?.length ? inArray(appointments.status, input.status) : undefined,
  );
}

/**
 * The page itself, unexecuted (the index test EXPLAINs it): the rows the actor sees that pass the
 * filters, after the cursor, in order, one more than the page.
 */
export function appointmentsPageQuery(
  db: Executor,
  actor: Pick<Actor, "userId" | "role">,
  input: ListAppointmentsInput,
  now: Date,
) {
  const { where, orderBy, limit } = appointmentList.keyset(keysetInput(input));
  return selectAppointmentRows(db)
    .where(and(filtersOf(actor, input, now), where))
    .orderBy(...orderBy)
    .limit(limit);
}

/**
 * One statement: the page as a CTE, its audit row written from it (the ids returned, and the
 * patient when the view is one patient's), and the page's rows in order.
 */
function auditedPageStatement(
  db: Executor,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  view: AppointmentView,
  input: ListAppointmentsInput,
  now: Date,
) {
  const page = db.$with("page").as(appointmentsPageQuery(db, actor, input, now));
  const direction = keysetInput(input).order === "asc" ? asc : desc;
  const inOrder = [direction(page.appointment.startsAt), direction(page.appointment.id)];
  const shown = sql`array(select ${page.appointment.id} from ${page} order by ${sql.join(inOrder, sql`, `)} limit ${input.limit})`;
  const auditRow = auditRowOfPage(
    db,
    pageReader(audit),
    { action: "appointment.list", outcome: "SUCCESS", targetType: "appointment", details: { view } },
    {
      resourceIds: shown,
      patientId:
        view === "patient"
          ? sql`(select ${page.appointment.patientId} from ${page} limit 1)`
          : (input.patientId ?? null),
    },
  );
  return db
    .with(page, auditRow)
    .select()
    .from(page)
    .orderBy(...inOrder);
}

/**
 * A page of appointment summaries (no `reason`), role-scoped by `appointmentVisibleTo`. Items
 * carry a cancellation's reason, which is PHI: the page and its audit event are one statement.
 */
export function listAppointments(
  deps: Pick<Deps, "db" | "clock" | "fieldCipher">,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  view: AppointmentView,
  input: ListAppointmentsInput,
): Promise<Page<AppointmentSummary>> {
  const now = deps.clock.now();
  return auditingUnreadable(deps, audit, async () => {
    const rows = await auditedPageStatement(deps.db, audit, actor, view, input, now);
    const page = appointmentList.pageFrom(keysetInput(input), rows);
    return { items: toAppointmentSummaries(deps.fieldCipher, page.items), nextCursor: page.nextCursor };
  });
}
