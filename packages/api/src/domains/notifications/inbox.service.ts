import type { Executor } from "@medical/db";
import { type NotificationType, notifications } from "@medical/db/schema";
import { and, asc, count, eq, gt, isNotNull, isNull, max, sql } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor, ActorRef } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { NOTIFICATION_NOT_FOUND, notificationVisibleTo } from "./access.ts";
import {
  type NotificationDto,
  type NotificationRow,
  notificationColumns,
  toNotificationDto,
} from "./notification-dto.ts";

/** Newest first by default, along `notifications_user_position`: the order they were created in. */
export const inboxList = defineList<NotificationRow, "position">({
  sorts: { position: notifications.position },
  id: notifications.id,
  defaultSort: "position",
  defaultOrder: "desc",
});

export interface ListNotificationsInput extends ListInput<"position"> {
  isRead?: boolean;
  type?: NotificationType;
}

/** The caller's unread notifications (the partial index `notifications_user_unread`). */
async function unreadCount(db: Executor, actor: ActorRef): Promise<number> {
  const [row] = await db
    .select({ unread: count() })
    .from(notifications)
    .where(and(notificationVisibleTo(actor), isNull(notifications.readAt)));
  return row?.unread ?? 0;
}

/** `GET /notifications`: a keyset page of the caller's own, and their unread count. */
export async function listNotifications(
  deps: Pick<Deps, "db">,
  actor: Actor,
  input: ListNotificationsInput,
): Promise<Page<NotificationDto> & { unreadCount: number }> {
  const read =
    input.isRead === undefined
      ? undefined
      : input.isRead
        ? isNotNull(notifications.readAt)
        : isNull(notifications.readAt);
  const page = await inboxList.page(input, ({ where, orderBy, limit }) =>
    deps.db
      .select(notificationColumns)
      .from(notifications)
      .where(
        and(
          notificationVisibleTo(actor),
          read,
          input.type ? eq(notifications.type, input.type) : undefined,
          where,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit),
  );
  return {
    items: page.items.map(toNotificationDto),
    nextCursor: page.nextCursor,
    unreadCount: await unreadCount(deps.db, actor),
  };
}

/** Read once: the first read time stays. */
export function markRead(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  actor: Actor,
  id: string,
): Promise<NotificationDto> {
  return auditedTransaction(deps, audit, async (tx) => {
    const [row] = await tx
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, ${deps.clock.now().toISOString()}::timestamptz)` })
      .where(and(eq(notifications.id, id), notificationVisibleTo(actor)))
      .returning(notificationColumns);
    if (!row) throw new DomainError("NOT_FOUND", NOTIFICATION_NOT_FOUND);
    return toNotificationDto(row);
  });
}

/** Every unread notification of the caller; how many that was. */
export function markAllRead(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  actor: Actor,
): Promise<{ marked: number }> {
  return auditedTransaction(deps, audit, async (tx) => {
    const marked = await tx
      .update(notifications)
      .set({ readAt: deps.clock.now() })
      .where(and(notificationVisibleTo(actor), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return { marked: marked.length };
  });
}

/**
 * Deleted for good: a notification is a copy of what happened, whose record lives elsewhere. Its
 * position is never reused (the per-user counter), so a client that saw it misses nothing later.
 */
export async function deleteNotification(
  deps: Pick<Deps, "db" | "events">,
  audit: AuditMeta,
  actor: Actor,
  id: string,
): Promise<void> {
  await auditedTransaction(deps, audit, async (tx) => {
    const deleted = await tx
      .delete(notifications)
      .where(and(eq(notifications.id, id), notificationVisibleTo(actor)))
      .returning({ id: notifications.id });
    if (!deleted.length) throw new DomainError("NOT_FOUND", NOTIFICATION_NOT_FOUND);
  });
}

/**
 * A user's notifications after `position`, oldest first: what a client that last saw `position`
 * missed. For the real-time subscriptions, which resume from the database on (re)connect; the
 * caller has checked the user is the subscriber.
 */
export async function readNotificationsAfter(
  db: Executor,
  actor: ActorRef,
  position: number,
  limit: number,
): Promise<NotificationDto[]> {
  const rows = await db
    .select(notificationColumns)
    .from(notifications)
    .where(and(notificationVisibleTo(actor), gt(notifications.position, position)))
    .orderBy(asc(notifications.position))
    .limit(limit);
  return rows.map(toNotificationDto);
}

/** The position of the caller's newest notification (0 without any): where "from now on" starts. */
export async function latestPosition(db: Executor, actor: ActorRef): Promise<number> {
  const [row] = await db
    .select({ latest: max(notifications.position) })
    .from(notifications)
    .where(notificationVisibleTo(actor));
  return Number(row?.latest ?? 0);
}
