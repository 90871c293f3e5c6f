import { z } from "zod";
import { ZIdInput } from "#platform/fields/fields.ts";
import { adminProcedure, authedProcedure, router } from "#platform/trpc.ts";
import { notificationResource } from "./access.ts";
import { sendAnnouncement } from "./announcements.service.ts";
import { deleteNotification, listNotifications, markAllRead, markRead } from "./inbox.service.ts";
import { notificationEvents } from "./live.service.ts";
import { ZNotificationDto } from "./notification-dto.ts";
import {
  notificationRoutes,
  ZAnnouncementDto,
  ZListNotificationsInput,
  ZMarkedRead,
  ZNotificationPage,
  ZOnEventInput,
  ZPreferences,
  ZSendInput,
  ZUpdatePreferencesInput,
} from "./notifications.schema.ts";
import { getPreferences, updatePreferences } from "./preferences.service.ts";

/** REST paths match in this order: the literal preferences and read-all paths before the `{id}` ones. */
export const notificationsRouter = router({
  list: authedProcedure
    .meta(notificationRoutes.list)
    .input(ZListNotificationsInput)
    .output(ZNotificationPage)
    .query(({ ctx, input }) => listNotifications(ctx.deps, ctx.actor, input)),
  preferences: authedProcedure
    .meta(notificationRoutes.preferences)
    .input(z.void())
    .output(ZPreferences)
    .query(({ ctx }) => getPreferences(ctx.deps, ctx.actor)),
  updatePreferences: authedProcedure
    .meta(notificationRoutes.updatePreferences)
    .input(ZUpdatePreferencesInput)
    .output(ZPreferences)
    .mutation(({ ctx, input }) => updatePreferences(ctx.deps, ctx.audit, ctx.actor, input)),
  markAllRead: authedProcedure
    .meta(notificationRoutes.markAllRead)
    .input(z.void())
    .output(ZMarkedRead)
    .mutation(({ ctx }) => markAllRead(ctx.deps, ctx.audit, ctx.actor)),
  send: adminProcedure
    .meta(notificationRoutes.send)
    .input(ZSendInput)
    .output(ZAnnouncementDto)
    .mutation(({ ctx, input }) => sendAnnouncement(ctx.deps, ctx.audit, ctx.actor, input)),
  markRead: notificationResource
    .meta(notificationRoutes.markRead)
    .input(ZIdInput)
    .output(ZNotificationDto)
    .mutation(({ ctx }) => markRead(ctx.deps, ctx.audit, ctx.actor, ctx.resource.id)),
  delete: notificationResource
    .meta(notificationRoutes.delete)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx }) => {
      await deleteNotification(ctx.deps, ctx.audit, ctx.actor, ctx.resource.id);
      return null;
    }),
  /**
   * The caller's notifications as they are created, each tracked by its position: with
   * `lastEventId`, first what came after it; without, from now on. Not part of the REST mirror.
   */
  onEvent: authedProcedure
    .input(ZOnEventInput)
    .subscription(({ ctx, input, signal }) =>
      notificationEvents(
        ctx.deps,
        ctx.actor,
        input?.lastEventId ? Number(input.lastEventId) : undefined,
        signal,
      ),
    ),
});
