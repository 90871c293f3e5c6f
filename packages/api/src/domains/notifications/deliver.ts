import type { Executor } from "@medical/db";
import {
  type NotificationType,
  notificationEmails,
  notificationPositions,
  notificationPreferences,
  notifications,
  users,
} from "@medical/db/schema";
import { inArray, sql } from "drizzle-orm";
import type { CreatedNotification } from "#platform/events/event-bus.ts";
import type { Derivation, Recipient } from "./derive.ts";
import { type NotificationText, readerOf } from "./messages.ts";

/** What one event became, in the order the outbox gave the events. */
export interface Derived {
  eventId: string;
  derivation: Derivation;
}

/** Rows per statement: well under PostgreSQL's 65,535 parameters, however many an announcement reaches. */
const SLICE = 1_000;

function slices<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += SLICE) out.push(items.slice(start, start + SLICE));
  return out;
}

/**
 * `rows` as a table `r` of `columns` from one JSON parameter: the statement of a 1,000-row slice
 * is built in microseconds, where a VALUES list of a parameter per cell was most of an
 * announcement's CPU time (the realtime bench). `columns` is a constant of this file.
 */
const recordset = (rows: object[], columns: string) =>
  sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${sql.raw(columns)})`;

/** One recipient of one event, worded for them. */
interface Worded {
  eventId: string;
  type: NotificationType;
  userId: string;
  data: Recipient["data"];
  text: NotificationText;
  inApp: boolean;
  email: boolean;
}

/**
 * Each recipient's language, zone and choices: the accounts and their stored preferences (no row
 * is "on"; only a stored false mutes), read once for the whole batch.
 */
async function readAccounts(tx: Executor, userIds: string[]) {
  const accounts = new Map<string, { locale: string; timezone: string; isActive: boolean }>();
  const muted = new Set<string>();
  for (const ids of slices(userIds)) {
    const rows = await tx
      .select({ id: users.id, locale: users.locale, timezone: users.timezone, isActive: users.isActive })
      .from(users)
      .where(inArray(users.id, ids));
    for (const row of rows) accounts.set(row.id, row);
    const choices = await tx
      .select()
      .from(notificationPreferences)
      .where(inArray(notificationPreferences.userId, ids));
    for (const choice of choices) {
      if (!choice.inApp) muted.add(`${choice.userId}|${choice.type}|inApp`);
      if (!choice.email) muted.add(`${choice.userId}|${choice.type}|email`);
    }
  }
  return { accounts, muted };
}

/** Every (event, recipient) worded in the recipient's language and zone, with the channels it goes out on. */
async function word(tx: Executor, batch: Derived[]): Promise<Worded[]> {
  const userIds = [...new Set(batch.flatMap(({ derivation }) => derivation.recipients.map((r) => r.userId)))];
  const { accounts, muted } = await readAccounts(tx, userIds);
  return batch.flatMap(({ eventId, derivation }) => {
    const { type, respectsPreferences } = derivation;
    const wants = (userId: string, channel: "inApp" | "email") =>
      !respectsPreferences || !muted.has(`${userId}|${type}|${channel}`);
    // Each account once per event.
    const recipients = new Map(derivation.recipients.map((recipient) => [recipient.userId, recipient]));
    return [...recipients.values()].flatMap((recipient) => {
      const account = accounts.get(recipient.userId);
      if (!account) return [];
      return [
        {
          eventId,
          type,
          userId: recipient.userId,
          data: recipient.data,
          text: recipient.text(readerOf(account)),
          inApp: wants(recipient.userId, "inApp"),
          email: account.isActive && wants(recipient.userId, "email"),
        },
      ];
    });
  });
}

/**
 * Moves each user's counter by their number of new notifications (one statement per slice, in
 * user id order) and gives each entry its position: a user's entries take the positions up to the
 * counter's new value, in the entries' order.
 */
async function withPositions<T extends { userId: string }>(
  tx: Executor,
  entries: T[],
): Promise<(T & { position: number })[]> {
  const counts = new Map<string, number>();
  for (const { userId } of entries) counts.set(userId, (counts.get(userId) ?? 0) + 1);
  const next = new Map<string, number>();
  for (const ids of slices([...counts.keys()].sort())) {
    const rows = await tx
      .insert(notificationPositions)
      .select(
        tx
          .select({
            userId: sql<string>`r.user_id`.as("user_id"),
            lastPosition: sql<number>`r.last_position`.as("last_position"),
          })
          .from(
            recordset(
              ids.map((userId) => ({ user_id: userId, last_position: counts.get(userId) ?? 0 })),
              "user_id uuid, last_position bigint",
            ),
          ),
      )
      .onConflictDoUpdate({
        target: notificationPositions.userId,
        set: { lastPosition: sql`${notificationPositions.lastPosition} + excluded.last_position` },
      })
      .returning();
    for (const row of rows) next.set(row.userId, row.lastPosition - (counts.get(row.userId) ?? 0) + 1);
  }
  return entries.map((entry) => {
    const position = next.get(entry.userId);
    if (position === undefined) throw new Error("a notification's user got no position");
    next.set(entry.userId, position + 1);
    return { ...entry, position };
  });
}

/**
 * Writes what a batch of events became, in the consumer's transaction: a notification for each
 * recipient whose preferences keep the type in the app (security notices always), at the user's
 * next positions in event order; a queued mail for each active recipient whose preferences keep it
 * by email.
 */
export async function deliver(tx: Executor, now: Date, batch: Derived[]): Promise<CreatedNotification[]> {
  const worded = await word(tx, batch);
  const mails = worded.filter((entry) => entry.email);
  const at = sql<Date>`${now.toISOString()}::timestamptz`;
  for (const slice of slices(mails)) {
    await tx.insert(notificationEmails).select(
      tx
        .select({
          id: sql<string>`gen_random_uuid()`.as("id"),
          userId: sql<string>`r.user_id`.as("user_id"),
          type: sql<NotificationType>`r.type`.as("type"),
          subject: sql<string>`r.subject`.as("subject"),
          body: sql<string>`r.body`.as("body"),
          status: sql<"PENDING">`'PENDING'`.as("status"),
          attempts: sql<number>`0`.as("attempts"),
          nextAttemptAt: at.as("next_attempt_at"),
          createdAt: at.as("created_at"),
          sentAt: sql<Date | null>`null::timestamptz`.as("sent_at"),
        })
        .from(
          recordset(
            slice.map((entry) => ({
              user_id: entry.userId,
              type: entry.type,
              subject: entry.text.title,
              body: entry.text.body,
            })),
            "user_id uuid, type varchar, subject varchar, body varchar",
          ),
        ),
    );
  }
  const shown = await withPositions(
    tx,
    worded.filter((entry) => entry.inApp),
  );
  const created: CreatedNotification[] = [];
  for (const slice of slices(shown)) {
    const rows = await tx
      .insert(notifications)
      .select(
        tx
          .select({
            id: sql<string>`gen_random_uuid()`.as("id"),
            userId: sql<string>`r.user_id`.as("user_id"),
            type: sql<NotificationType>`r.type`.as("type"),
            title: sql<string>`r.title`.as("title"),
            body: sql<string>`r.body`.as("body"),
            data: sql<Recipient["data"]>`r.data`.as("data"),
            position: sql<number>`r.position`.as("position"),
            eventId: sql<string>`r.event_id`.as("event_id"),
            readAt: sql<Date | null>`null::timestamptz`.as("read_at"),
            createdAt: at.as("created_at"),
          })
          .from(
            recordset(
              slice.map((entry) => ({
                user_id: entry.userId,
                type: entry.type,
                title: entry.text.title,
                body: entry.text.body,
                data: entry.data,
                position: entry.position,
                event_id: entry.eventId,
              })),
              "user_id uuid, type varchar, title varchar, body varchar, data jsonb, position bigint, event_id uuid",
            ),
          ),
      )
      .returning({
        notificationId: notifications.id,
        userId: notifications.userId,
        position: notifications.position,
      });
    created.push(...rows);
  }
  return created;
}
