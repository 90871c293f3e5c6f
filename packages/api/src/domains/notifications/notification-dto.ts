import { NOTIFICATION_TYPES, type Notification, notifications } from "@medical/db/schema";
import { z } from "zod";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";

/**
 * A per-user counter (a bigint column): a trillion notifications is beyond any account, and
 * positions and counts stay exact in every JSON client well below 2^53.
 */
export const MAX_POSITION = 1e15;

export const ZNotificationType = z
  .enum(NOTIFICATION_TYPES)
  .meta({ description: "What the notification is about; preferences mute a type per channel" });

const ZNotification = z.object({
  id: z.uuid(),
  type: ZNotificationType,
  title: z.string(),
  body: z.string().meta({ description: "Never clinical detail: it says what happened, `data` links to it" }),
  data: z.record(z.string(), z.string()).meta({
    description: "The ids to open what it is about (appointmentId, recordId, billingEntryId, claimId…)",
  }),
  position: z.number().int().min(1).max(MAX_POSITION).meta({
    description:
      "The caller's own counter, strictly increasing in the order notifications were created: where a client resumes",
  }),
  isRead: z.boolean(),
  readAt: ZTimestamp.nullable(),
  createdAt: ZTimestamp,
});
export type NotificationDto = z.infer<typeof ZNotification>;

export const notificationExample: NotificationDto = {
  id: "5c1e9a7d-2f4b-4e8a-9d3c-7b6a1e0f2d48",
  type: "APPOINTMENT",
  title: "Rendez-vous annulé",
  body: "Votre rendez-vous avec le Dr Benali du 12/01 à 10:00 a été annulé par le médecin.",
  data: { appointmentId: "8d2f6b1a-4c3e-4a7f-9b5d-2e1c7a9f0b36" },
  position: 42,
  isRead: false,
  readAt: null,
  createdAt: new Date("2026-12-01T08:30:00.000Z"),
};

export const ZNotificationDto = named(ZNotification, "Notification", {
  description: "Something that happened for the caller, in their language and on their clock",
  example: notificationExample,
});

/** The columns a DTO is built from. */
export const notificationColumns = {
  id: notifications.id,
  type: notifications.type,
  title: notifications.title,
  body: notifications.body,
  data: notifications.data,
  position: notifications.position,
  readAt: notifications.readAt,
  createdAt: notifications.createdAt,
};
export type NotificationRow = Pick<Notification, keyof typeof notificationColumns>;

export function toNotificationDto(row: NotificationRow): NotificationDto {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    body: row.body,
    data: row.data,
    position: row.position,
    isRead: row.readAt !== null,
    readAt: row.readAt,
    createdAt: row.createdAt,
  };
}
