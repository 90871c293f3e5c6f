import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, uniqueIndex } from "drizzle-orm/pg-core";
import { appointments } from "./appointments.ts";
import { id, ref, timestamptz } from "./columns.ts";
import { type Role, roles, users } from "./users.ts";

export const NOTIFICATION_TYPES = ["APPOINTMENT", "CHAT", "BILLING", "RECORD", "SYSTEM"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The ids a client deep-links with (`appointmentId`, `recordId`…): never text, never clinical detail. */
export type NotificationData = Record<string, string>;

/**
 * What a user is told in the app. Written only by the notifications consumer, which derives rows
 * from the outbox (decision record 0034): `position` is the user's own counter, assigned in the
 * consumer's commit order, so a client resuming after position P never misses a row committed
 * later with a smaller one. `event_id` is the domain event a row comes from (one row per user and
 * event). Titles and bodies hold no clinical text.
 */
export const notifications = pgTable(
  "notifications",
  (t) => ({
    id: id(),
    userId: ref(() => users.id),
    type: t.varchar({ length: 20 }).notNull().$type<NotificationType>(),
    title: t.varchar({ length: 200 }).notNull(),
    body: t.varchar({ length: 1000 }).notNull(),
    data: t.jsonb().notNull().$type<NotificationData>().default(sql`'{}'::jsonb`),
    position: t.bigint({ mode: "number" }).notNull(),
    eventId: t.uuid().notNull(),
    readAt: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    // A user's list (newest first), their resume reads (after a position) and the per-user order.
    uniqueIndex("notifications_user_position").on(t.userId, t.position),
    uniqueIndex("notifications_user_event").on(t.userId, t.eventId),
    // The unread count and the unread filter read only unread rows.
    index("notifications_user_unread").on(t.userId, t.position).where(sql`${t.readAt} is null`),
    check("notifications_type", sql`${t.type} in ('APPOINTMENT', 'CHAT', 'BILLING', 'RECORD', 'SYSTEM')`),
    check("notifications_position", sql`${t.position} > 0`),
  ],
);

/**
 * Each user's last notification position. A counter rather than max(position): a user deletes
 * notifications, and a reused position would be skipped by a client that had already seen it.
 */
export const notificationPositions = pgTable("notification_positions", (t) => ({
  userId: ref(() => users.id).primaryKey(),
  lastPosition: t.bigint({ mode: "number" }).notNull(),
}));

/** A user's choices per type; no row means every channel on. */
export const notificationPreferences = pgTable(
  "notification_preferences",
  (t) => ({
    userId: ref(() => users.id),
    type: t.varchar({ length: 20 }).notNull().$type<NotificationType>(),
    inApp: t.boolean().notNull().default(true),
    email: t.boolean().notNull().default(true),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    primaryKey({ columns: [t.userId, t.type] }),
    check(
      "notification_preferences_type",
      sql`${t.type} in ('APPOINTMENT', 'CHAT', 'BILLING', 'RECORD', 'SYSTEM')`,
    ),
  ],
);

/** An ADMIN's message to one account or to every active account of a role; the consumer fans it out. */
export const announcements = pgTable(
  "announcements",
  (t) => ({
    id: id(),
    title: t.varchar({ length: 200 }).notNull(),
    body: t.varchar({ length: 1000 }).notNull(),
    userId: t.uuid().references(() => users.id),
    role: t
      .varchar({ length: 20 })
      .references(() => roles.name)
      .$type<Role>(),
    createdBy: ref(() => users.id),
    createdAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [check("announcements_target", sql`(${t.userId} is null) <> (${t.role} is null)`)],
);

export const NOTIFICATION_EMAIL_STATUSES = ["PENDING", "SENT", "FAILED"] as const;
export type NotificationEmailStatus = (typeof NOTIFICATION_EMAIL_STATUSES)[number];

/**
 * Notification mail waiting to go out, queued in the consumer's transaction and sent after it,
 * so a process that dies in between still sends it (at least once). A sender leases a row by
 * moving `next_attempt_at` ahead; a failed send is retried later, then given up (FAILED).
 */
export const notificationEmails = pgTable(
  "notification_emails",
  (t) => ({
    id: id(),
    userId: ref(() => users.id),
    type: t.varchar({ length: 20 }).notNull().$type<NotificationType>(),
    subject: t.varchar({ length: 200 }).notNull(),
    body: t.varchar({ length: 1000 }).notNull(),
    status: t.varchar({ length: 10 }).notNull().default("PENDING").$type<NotificationEmailStatus>(),
    attempts: t.smallint().notNull().default(0),
    nextAttemptAt: timestamptz().notNull().defaultNow(),
    createdAt: timestamptz().notNull().defaultNow(),
    sentAt: timestamptz(),
  }),
  (t) => [
    index("notification_emails_due").on(t.nextAttemptAt).where(sql`${t.status} = 'PENDING'`),
    check("notification_emails_status", sql`${t.status} in ('PENDING', 'SENT', 'FAILED')`),
  ],
);

export const REMINDER_JOB_STATUSES = ["PENDING", "DONE", "CANCELLED", "FAILED"] as const;
export type ReminderJobStatus = (typeof REMINDER_JOB_STATUSES)[number];

/**
 * An appointment reminder to send (decision record 0035): one per appointment, offset (minutes
 * before the start) and start time, so a moved appointment gets new rows and the old ones are
 * cancelled. The notifications consumer writes them from the appointment events; a worker claims
 * the due ones (`FOR UPDATE SKIP LOCKED`, then a lease in `locked_until`) and marks one DONE in the
 * transaction that emits its `reminder.due` event, so it is sent at least once and never twice.
 */
export const reminderJobs = pgTable(
  "reminder_jobs",
  (t) => ({
    id: id(),
    appointmentId: ref(() => appointments.id),
    offsetMinutes: t.integer().notNull(),
    startsAt: timestamptz().notNull(),
    dueAt: timestamptz().notNull(),
    status: t.varchar({ length: 10 }).notNull().default("PENDING").$type<ReminderJobStatus>(),
    attempts: t.smallint().notNull().default(0),
    lockedUntil: timestamptz(),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
  }),
  (t) => [
    uniqueIndex("reminder_jobs_once").on(t.appointmentId, t.offsetMinutes, t.startsAt),
    index("reminder_jobs_due").on(t.dueAt).where(sql`${t.status} = 'PENDING'`),
    check("reminder_jobs_status", sql`${t.status} in ('PENDING', 'DONE', 'CANCELLED', 'FAILED')`),
    check("reminder_jobs_offset", sql`${t.offsetMinutes} > 0`),
  ],
);

export type Notification = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;
export type NotificationPreference = typeof notificationPreferences.$inferSelect;
export type Announcement = typeof announcements.$inferSelect;
export type NotificationEmail = typeof notificationEmails.$inferSelect;
export type ReminderJob = typeof reminderJobs.$inferSelect;
