import type { Executor } from "@medical/db";
import { notifications } from "@medical/db/schema";
import { and, eq, inArray, type SQL } from "drizzle-orm";
import type { ActorRef } from "#platform/auth/actor.ts";
import { authedProcedure, resourceProcedure } from "#platform/trpc.ts";
import { type NotificationRow, notificationColumns } from "./notification-dto.ts";

export const NOTIFICATION_NOT_FOUND = "Notification not found";

/**
 * Notifications are their recipient's alone, whatever the role: an ADMIN reads nobody else's
 * either (they may say who has an appointment with whom). Every notifications query of a caller
 * MUST include this predicate; a row outside it answers NOT_FOUND.
 * Security-sensitive: every change comes with a row in access.cases.ts.
 */
export function notificationVisibleTo(actor: ActorRef): SQL {
  switch (actor.role) {
    case "ADMIN":
    case "DOCTOR":
    case "PATIENT":
    case "STAFF":
      return eq(notifications.userId, actor.userId);
  }
}

/**
 * The live streams' shared read (live.service.ts): rows of `userIds`, the accounts this process
 * streams to, each handed to its own recipient's streams only. Never a caller's query.
 */
export function notificationsOfRecipients(userIds: string[]): SQL {
  return inArray(notifications.userId, userIds);
}

export async function findVisibleNotification(
  db: Executor,
  actor: ActorRef,
  id: string,
): Promise<NotificationRow | undefined> {
  const [row] = await db
    .select(notificationColumns)
    .from(notifications)
    .where(and(eq(notifications.id, id), notificationVisibleTo(actor)))
    .limit(1);
  return row;
}

/** PATCH /notifications/{id}/read and DELETE /notifications/{id}: the caller's notification on `ctx.resource`. */
export const notificationResource = resourceProcedure(authedProcedure, NOTIFICATION_NOT_FOUND, (ctx, id) =>
  findVisibleNotification(ctx.deps.db, ctx.actor, id),
);
