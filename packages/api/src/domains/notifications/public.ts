/**
 * What other domains may use of notifications: the patient export's section, and for the
 * real-time slice the read of what a user missed after a position (events on the EventBus say
 * `notifications.created` with users and positions, ids only), and the caller's stream with the
 * rule for where it resumes, which the plain notification socket shares with `onEvent`.
 */
export { notificationsExportPart } from "./export-part.ts";
export { readNotificationsAfter } from "./inbox.service.ts";
export { notificationEvents } from "./live.service.ts";
export { type NotificationDto, ZNotificationDto } from "./notification-dto.ts";
export { ZLastEventId } from "./notifications.schema.ts";
