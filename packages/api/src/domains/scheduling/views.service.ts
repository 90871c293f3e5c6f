import type { Executor } from "@medical/db";
import { APPOINTMENT_STATUSES, type AppointmentStatus, appointments } from "@medical/db/schema";
import { type AnyColumn, and, asc, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import {
  type AuditMeta,
  auditRowOfPage,
  PREPARED_PAGE_READER,
  pageReaderValues,
} from "#platform/audit/audit.ts";
import type { Actor, ActorRef } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";
import type { Deps } from "#platform/deps.ts";
import { defineList, type KeysetShape, type ListInput, type Order, type Page } from "#platform/list.ts";
import { preparedPerShape } from "#platform/prepared.ts";
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

/**
 * What decides the text of a view's statement: the caller's role and view, the keyset's order and
 * cursor, `when`, the statuses asked for (enum values, part of the text) and which other filters
 * are set. Every other value is a placeholder (`bindingOf`).
 */
export type AppointmentsShape = KeysetShape<"startsAt"> & {
  role: Role;
  view: AppointmentView;
  when: "upcoming" | "past" | null;
  statuses: string | null;
  from: boolean;
  to: boolean;
  doctorId: boolean;
  patientId: boolean;
};

/** The shape of a request's statement and the values of its placeholders (a bad cursor throws 400). */
export function bindingOf(
  actor: Pick<Actor, "userId" | "role">,
  view: AppointmentView,
  input: ListAppointmentsInput,
  now: Date,
) {
  const keyset = appointmentList.keysetBinding(keysetInput(input));
  const statuses = input.status?.length ? [...new Set(input.status)].sort() : [];
  const shape: AppointmentsShape = {
    ...keyset.shape,
    role: actor.role,
    view,
    when: input.when ?? null,
    statuses: statuses.length ? statuses.join(",") : null,
    from: input.from !== undefined,
    to: input.to !== undefined,
    doctorId: input.doctorId !== undefined,
    patientId: input.patientId !== undefined,
  };
  const values = {
    ...keyset.values,
    userId: actor.userId,
    now,
    from: input.from,
    to: input.to,
    doctorId: input.doctorId,
    patientId: input.patientId,
  };
  return { shape, values };
}

const isAppointmentStatus = (value: string): value is AppointmentStatus =>
  APPOINTMENT_STATUSES.some((status) => status === value);

/** A placeholder encoded as `column`'s values are (an instant as its text, like a bound Date). */
const placeholderOf = (column: AnyColumn, name: string) => sql.param(sql.placeholder(name), column);

function filtersOf(shape: AppointmentsShape): SQL | undefined {
  const { startsAt } = appointments;
  const caller: ActorRef = { userId: sql.placeholder("userId"), role: shape.role };
  const statuses = shape.statuses?.split(",").filter(isAppointmentStatus) ?? [];
  return and(
    appointmentVisibleTo(caller),
    shape.doctorId ? eq(appointments.doctorId, sql.placeholder("doctorId")) : undefined,
    shape.patientId ? eq(appointments.patientId, sql.placeholder("patientId")) : undefined,
    shape.when === "upcoming" ? gte(startsAt, placeholderOf(startsAt, "now")) : undefined,
    shape.when === "past" ? lt(startsAt, placeholderOf(startsAt, "now")) : undefined,
    shape.from ? gte(startsAt, placeholderOf(startsAt, "from")) : undefined,
    shape.to ? lt(startsAt, placeholderOf(startsAt, "to")) : undefined,
    statuses.length ? inArray(appointments.status, statuses) : undefined,
  );
}

/**
 * The page itself, unexecuted (the index test EXPLAINs it): the rows the actor sees that pass the
 * filters, after the cursor, in order, one more than the page.
 */
export function appointmentsPageQuery(db: Executor, shape: AppointmentsShape) {
  const { where, orderBy, limit } = appointmentList.preparedKeyset(shape);
  return selectAppointmentRows(db)
    .where(and(filtersOf(shape), where))
    .orderBy(...orderBy)
    .limit(limit);
}

/**
 * One statement per shape, prepared (ADR 0030): the page as a CTE, its audit row written from it
 * (ADR 0024: the ids returned, and the patient when the view is one patient's), and the page's
 * rows in order.
 */
const auditedPageStatement = preparedPerShape("appointment_list", (db, shape: AppointmentsShape, name) => {
  const page = db.$with("page").as(appointmentsPageQuery(db, shape));
  const direction = shape.order === "asc" ? asc : desc;
  const inOrder = [direction(page.appointment.startsAt), direction(page.appointment.id)];
  const { pageSize } = appointmentList.preparedKeyset(shape);
  const shown = sql`array(select ${page.appointment.id} from ${page} order by ${sql.join(inOrder, sql`, `)} limit ${pageSize})`;
  const auditRow = auditRowOfPage(
    db,
    PREPARED_PAGE_READER,
    {
      action: "appointment.list",
      outcome: "SUCCESS",
      targetType: "appointment",
      details: { view: shape.view },
    },
    {
      resourceIds: shown,
      patientId:
        shape.view === "patient"
          ? sql`(select ${page.appointment.patientId} from ${page} limit 1)`
          : shape.patientId
            ? sql.placeholder("patientId")
            : null,
    },
  );
  return db
    .with(page, auditRow)
    .select()
    .from(page)
    .orderBy(...inOrder)
    .prepare(name);
});

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
  return auditingUnreadable(deps, audit, async () => {
    const { shape, values } = bindingOf(actor, view, input, deps.clock.now());
    const rows = await auditedPageStatement(deps.db, shape).execute({
      ...values,
      ...pageReaderValues(audit),
    });
    const page = appointmentList.pageFrom(keysetInput(input), rows);
    return { items: toAppointmentSummaries(deps.fieldCipher, page.items), nextCursor: page.nextCursor };
  });
}
