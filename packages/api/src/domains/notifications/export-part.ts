import { notifications } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { ExportPart } from "#platform/export-part.ts";
import { inboxList } from "./inbox.service.ts";
import {
  type NotificationDto,
  notificationColumns,
  notificationExample,
  toNotificationDto,
  ZNotificationDto,
} from "./notification-dto.ts";

/**
 * The notifications section of a patient's data export: every notification of the patient's own
 * account, as `GET /notifications` answers them, oldest first (keyset pages of
 * `notifications_user_position`). Reads by account (the export decides who exports whose file).
 */
export const notificationsExportPart: ExportPart<NotificationDto[]> = {
  schema: z.array(ZNotificationDto).meta({ description: "The patient's notifications, oldest first" }),
  example: [notificationExample],
  async read(tx, subject) {
    const items: NotificationDto[] = [];
    const pages = inboxList.pages({ sort: "position", order: "asc" }, ({ where, orderBy, limit }) =>
      tx
        .select(notificationColumns)
        .from(notifications)
        .where(and(eq(notifications.userId, subject.userId), where))
        .orderBy(...orderBy)
        .limit(limit),
    );
    for await (const rows of pages) items.push(...rows.map(toNotificationDto));
    return items;
  },
  counts: (section) => ({ notifications: section.length }),
  // Notifications hold no encrypted text.
  isUnreadable: () => false,
};
