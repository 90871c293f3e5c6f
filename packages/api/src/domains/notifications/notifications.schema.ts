import type { NotificationType } from "@medical/db/schema";
import { z } from "zod";
import { ROLES } from "#platform/auth/roles.ts";
import { requireAChange, text, ZTimestamp } from "#platform/fields/fields.ts";
import { ZNextCursor } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { inboxList } from "./inbox.service.ts";
import {
  MAX_POSITION,
  notificationExample,
  ZNotificationDto,
  ZNotificationType,
} from "./notification-dto.ts";

const route = routeMeta(["notifications"]);

/**
 * The REST route of each procedure. The literal `/notifications/preferences` and
 * `/notifications/read-all` come before the `{id}` routes in the router, so no `{id}` takes them.
 */
export const notificationRoutes = {
  list: route("GET", "/notifications", "The caller's notifications, newest first, with their unread count", {
    description:
      "Everyone sees only their own. `isRead` and `type` filter the page; `unreadCount` counts every unread notification of the caller, whatever the filters.",
  }),
  preferences: route("GET", "/notifications/preferences", "The caller's notification preferences", {
    description: "Per type, whether it is shown in the app (`inApp`) and sent by mail (`email`).",
  }),
  updatePreferences: route("PATCH", "/notifications/preferences", "Mute or unmute types per channel", {
    description:
      "A muted in-app type creates no notification; a muted email type sends no mail. Security notices (password changed, sign-in from a new device) ignore both: they warn the owner that someone else may hold the account, who could otherwise mute them first.",
    successMessage: "Preferences updated",
  }),
  markAllRead: route(
    "PATCH",
    "/notifications/read-all",
    "Mark every unread notification of the caller read",
    {
      successMessage: "Notifications marked read",
    },
  ),
  markRead: route("PATCH", "/notifications/{id}/read", "Mark one of the caller's notifications read", {
    errors: ["NOT_FOUND"],
    successMessage: "Notification marked read",
  }),
  delete: route("DELETE", "/notifications/{id}", "Delete one of the caller's notifications", {
    errors: ["NOT_FOUND"],
    successMessage: "Notification deleted",
  }),
  send: route("POST", "/notifications", "Send a SYSTEM announcement to one account or a whole role (ADMIN)", {
    description:
      "Accepted now, delivered within a second or so: each recipient gets a SYSTEM notification (unless muted) and a mail (unless muted). A role reaches its active accounts.",
    errors: ["NOT_FOUND"],
    successStatus: 202,
    successMessage: "Announcement accepted",
  }),
};

// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
export const ZListNotificationsInput = inboxList.input.extend({
  isRead: z.boolean().meta({ description: "Read (true) or unread (false) notifications only" }).optional(),
  type: ZNotificationType.optional(),
});

export const ZNotificationPage = named(
  z.object({
    items: z.array(ZNotificationDto),
    nextCursor: ZNextCursor,
    unreadCount: z
      .number()
      .int()
      .min(0)
      .max(MAX_POSITION)
      .meta({ description: "The caller's unread notifications, whatever the filters" }),
  }),
  "NotificationPage",
  {
    description: "One page of the caller's notifications, newest first, and how many are unread",
    example: { items: [notificationExample], nextCursor: null, unreadCount: 1 },
  },
);

export const ZMarkedRead = named(
  z.object({
    marked: z
      .number()
      .int()
      .min(0)
      .max(MAX_POSITION)
      .meta({ description: "Notifications this call marked read" }),
  }),
  "MarkedRead",
  { description: "How many notifications were marked read", example: { marked: 3 } },
);

const ZChannels = z.object({
  inApp: z.boolean().meta({ description: "Shown in the app" }),
  email: z.boolean().meta({ description: "Sent by mail" }),
});
export type Channels = z.infer<typeof ZChannels>;

const allOn: Channels = { inApp: true, email: true };

export const ZPreferences = named(
  z.object({
    APPOINTMENT: ZChannels,
    CHAT: ZChannels,
    BILLING: ZChannels,
    RECORD: ZChannels,
    SYSTEM: ZChannels,
  } satisfies Record<NotificationType, typeof ZChannels>),
  "NotificationPreferences",
  {
    description: "Per notification type, the channels it reaches the caller on",
    example: {
      APPOINTMENT: allOn,
      CHAT: allOn,
      BILLING: { inApp: true, email: false },
      RECORD: allOn,
      SYSTEM: allOn,
    },
  },
);
export type Preferences = z.infer<typeof ZPreferences>;

const ZChannelChange = z
  .strictObject({ inApp: z.boolean().optional(), email: z.boolean().optional() })
  .optional();

export const ZUpdatePreferencesInput = named(
  requireAChange(
    z.strictObject({
      APPOINTMENT: ZChannelChange,
      CHAT: ZChannelChange,
      BILLING: ZChannelChange,
      RECORD: ZChannelChange,
      SYSTEM: ZChannelChange,
    } satisfies Record<NotificationType, typeof ZChannelChange>),
  ),
  "UpdateNotificationPreferencesInput",
  {
    description: "The types and channels to change (at least one); the others stay as they are",
    example: { BILLING: { email: false } },
  },
);
export type PreferenceChanges = z.infer<typeof ZUpdatePreferencesInput>;

export const ZSendInput = named(
  z
    .strictObject({
      userId: z.uuid().meta({ description: "One account (any role)" }).optional(),
      role: z.enum(ROLES).meta({ description: "Every active account of this role" }).optional(),
      title: text(120, { min: 1 }),
      body: text(1000, { min: 1 }),
    })
    .refine((input) => (input.userId === undefined) !== (input.role === undefined), {
      message: "Name exactly one of userId and role",
      path: ["userId"],
    }),
  "SendAnnouncementInput",
  {
    description:
      "The announcement's audience (a `userId` or a `role`, not both) and its text, never clinical",
    example: {
      role: "PATIENT",
      title: "Fermeture exceptionnelle",
      body: "La clinique sera fermée le vendredi 1er janvier. Les rendez-vous de ce jour ont été déplacés.",
    },
  },
);

export const ZAnnouncementDto = named(
  z.object({
    id: z.uuid(),
    userId: z.uuid().nullable(),
    role: z.enum(ROLES).nullable(),
    title: z.string(),
    body: z.string(),
    createdAt: ZTimestamp,
  }),
  "Announcement",
  {
    description: "An accepted announcement: its audience and text",
    example: {
      id: "2b7c4e9a-1d3f-4a6b-8c5e-9f0a1b2c3d4e",
      userId: null,
      role: "PATIENT",
      title: "Fermeture exceptionnelle",
      body: "La clinique sera fermée le vendredi 1er janvier. Les rendez-vous de ce jour ont été déplacés.",
      createdAt: new Date("2026-12-01T08:30:00.000Z"),
    },
  },
);
export type AnnouncementDto = z.infer<typeof ZAnnouncementDto>;

/**
 * Where `notifications.onEvent` and the plain notification socket resume: the id of the last event
 * the client got (tRPC's links send it on reconnect), a position as decimal digits below
 * `MAX_POSITION`; none for from now on.
 */
export const ZLastEventId = z
  .string()
  .regex(/^(0|[1-9]\d{0,14})$/, "A notification position: decimal digits, at most 15");

export const ZOnEventInput = z.strictObject({ lastEventId: ZLastEventId.nullish() }).optional();
