import { randomUUID } from "node:crypto";
import type { Database } from "@medical/db";
import {
  type NewNotification,
  type Notification,
  notificationPositions,
  notifications,
} from "@medical/db/schema";
import { sql } from "drizzle-orm";

export type MakeNotificationInput = Partial<Omit<NewNotification, "userId" | "position">> & {
  userId: string;
};

/**
 * A notification written straight to the table, without an event or the consumer, at the user's
 * next position (the counter moves as the consumer moves it, so a later consumed notification
 * never collides): for tests of what reads notifications. SYSTEM "Annonce" unless told otherwise.
 */
export async function makeNotification(db: Database, input: MakeNotificationInput): Promise<Notification> {
  const [counter] = await db
    .insert(notificationPositions)
    .values({ userId: input.userId, lastPosition: 1 })
    .onConflictDoUpdate({
      target: notificationPositions.userId,
      set: { lastPosition: sql`${notificationPositions.lastPosition} + 1` },
    })
    .returning();
  if (!counter) throw new Error("makeNotification moved no counter");
  const [row] = await db
    .insert(notifications)
    .values({
      type: "SYSTEM",
      title: "Annonce",
      body: "La clinique sera fermée vendredi.",
      eventId: randomUUID(),
      ...input,
      position: counter.lastPosition,
    })
    .returning();
  if (!row) throw new Error("makeNotification inserted nothing");
  return row;
}
