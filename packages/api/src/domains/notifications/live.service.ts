import type { Database } from "@medical/db";
import { notifications } from "@medical/db/schema";
import { type TrackedEnvelope, tracked } from "@trpc/server";
import { and, inArray } from "drizzle-orm";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import type { CreatedNotification, EventBus } from "#platform/events/event-bus.ts";
import { notificationsOfRecipients } from "./access.ts";
import { latestPosition, readNotificationsAfter } from "./inbox.service.ts";
import { type NotificationDto, notificationColumns, toNotificationDto } from "./notification-dto.ts";

/** Rows per database read: a long backlog goes out in pages, each read after the last sent. */
const BATCH = 100;
/** Notifications per shared read of the hub: one statement for a slice of a broadcast. */
const HUB_READ = 500;

type LiveDeps = Pick<Deps, "db" | "events">;

/** One stream's side of the hub: a row for its user, or "read for yourself". */
interface Listener {
  offer(row: NotificationDto): void;
  reread(): void;
}

interface Hub {
  join(userId: string, listener: Listener): () => void;
}

/**
 * One per process (per bus and database): a single `notifications.created` listener for every
 * stream, which reads the rows its streams wait for once per event, a slice at a time, not once
 * per stream, and hands each row to its own recipient's streams. A broadcast to 10k connected
 * accounts is then 20 reads, and an event for accounts streamed elsewhere costs a map lookup.
 */
function createHub(deps: LiveDeps): Hub {
  const listeners = new Map<string, Set<Listener>>();
  const waiting: CreatedNotification[] = [];
  let reading = false;
  let stopListening: (() => void) | undefined;

  const read = async (items: CreatedNotification[]) => {
    const userIds = [...new Set(items.map((item) => item.userId))];
    const rows = await deps.db
      .select({ ...notificationColumns, userId: notifications.userId })
      .from(notifications)
      .where(
        and(
          inArray(
            notifications.id,
            items.map((item) => item.notificationId),
          ),
          notificationsOfRecipients(userIds),
        ),
      );
    // In position order per account: a stream takes a row only right after the last it has.
    rows.sort((a, b) => a.position - b.position);
    for (const row of rows) {
      const dto = toNotificationDto(row);
      for (const listener of listeners.get(row.userId) ?? []) listener.offer(dto);
    }
  };

  const drain = async () => {
    reading = true;
    try {
      while (waiting.length) {
        const items = waiting.splice(0, HUB_READ);
        // A failed shared read: each stream concerned reads for itself (and fails on its own).
        await read(items).catch(() => {
          for (const item of items)
            for (const listener of listeners.get(item.userId) ?? []) listener.reread();
        });
      }
    } finally {
      reading = false;
    }
  };

  const onCreated = ({ items }: { items: CreatedNotification[] }) => {
    for (const item of items) if (listeners.has(item.userId)) waiting.push(item);
    if (waiting.length && !reading) void drain();
  };

  return {
    join(userId, listener) {
      stopListening ??= deps.events.subscribe("notifications.created", onCreated);
      const own = listeners.get(userId) ?? new Set<Listener>();
      listeners.set(userId, own.add(listener));
      return () => {
        own.delete(listener);
        if (own.size === 0) listeners.delete(userId);
        if (listeners.size === 0) {
          stopListening?.();
          stopListening = undefined;
        }
      };
    },
  };
}

const hubs = new WeakMap<EventBus, WeakMap<Database, Hub>>();

function hubOf(deps: LiveDeps): Hub {
  const byDatabase = hubs.get(deps.events) ?? new WeakMap<Database, Hub>();
  hubs.set(deps.events, byDatabase);
  const hub = byDatabase.get(deps.db) ?? createHub(deps);
  byDatabase.set(deps.db, hub);
  return hub;
}

/**
 * The caller's notifications after `lastPosition` (none: from now on), then each new one as it is
 * committed, each tracked by its position so a client that reconnects with the last id resumes there.
 *
 * "From now on" is the newest position read before the stream joins the hub, and the first read
 * comes after both: a notification committed in between is read, not lost. A row the hub hands
 * over is taken only when it is the very next position (positions of an account are consecutive as
 * the consumer writes them); anything else — a gap, a row offered during a read, a failed shared
 * read — makes the stream read after the last position it sent. So nothing is lost or sent twice.
 */
export async function* notificationEvents(
  deps: LiveDeps,
  actor: Actor,
  lastPosition: number | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<TrackedEnvelope<NotificationDto>> {
  let sent = lastPosition ?? (await latestPosition(deps.db, actor));
  // The last position sent or queued: a row is taken only right after it.
  let tail = sent;
  const queue: NotificationDto[] = [];
  let stale = true;
  let reading = false;
  let wake: (() => void) | undefined;
  const leave = hubOf(deps).join(actor.userId, {
    offer(row) {
      if (row.position <= tail) return;
      if (!stale && !reading && row.position === tail + 1) {
        queue.push(row);
        tail = row.position;
      } else stale = true;
      wake?.();
    },
    reread() {
      stale = true;
      wake?.();
    },
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    while (!signal?.aborted) {
      const next = queue.shift();
      if (next) {
        sent = next.position;
        yield tracked(String(sent), next);
        continue;
      }
      if (!stale) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      stale = false;
      reading = true;
      let batch: NotificationDto[];
      try {
        batch = await readNotificationsAfter(deps.db, actor, sent, BATCH);
      } finally {
        reading = false;
      }
      // Before the first yield: rows offered while these go out are judged against them.
      tail = Math.max(tail, batch.at(-1)?.position ?? sent);
      if (batch.length === BATCH) stale = true;
      for (const notification of batch) {
        sent = notification.position;
        yield tracked(String(sent), notification);
      }
    }
  } finally {
    leave();
    signal?.removeEventListener("abort", onAbort);
  }
}
