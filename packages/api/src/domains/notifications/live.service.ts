import { type TrackedEnvelope, tracked } from "@trpc/server";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { latestPosition, readNotificationsAfter } from "./inbox.service.ts";
import type { NotificationDto } from "./notification-dto.ts";

/** Rows per database read: a long backlog goes out in pages, each read after the last sent. */
const BATCH = 100;

/**
 * The caller's notifications after `lastPosition` (none: from now on), then each new one as it is
 * committed, each tracked by its position so a client that reconnects with the last id resumes there.
 *
 * "From now on" is the newest position read before the bus listener is registered, and the first
 * read comes after both: a notification committed in between is read, not lost. The listener is
 * registered before the first read: a notification committed during a read still wakes the loop,
 * and every read starts after the last position sent, so nothing is lost or sent twice. An event
 * only says "read again": the rows come from the database.
 */
export async function* notificationEvents(
  deps: Pick<Deps, "db" | "events">,
  actor: Actor,
  lastPosition: number | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<TrackedEnvelope<NotificationDto>> {
  let sent = lastPosition ?? (await latestPosition(deps.db, actor));
  let unread = true;
  let wake: (() => void) | undefined;
  const stopListening = deps.events.subscribe("notification.created", (event) => {
    if (event.userId !== actor.userId || event.position <= sent) return;
    unread = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    while (!signal?.aborted) {
      if (!unread) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      unread = false;
      const batch = await readNotificationsAfter(deps.db, actor, sent, BATCH);
      for (const notification of batch) {
        sent = notification.position;
        yield tracked(String(notification.position), notification);
      }
      if (batch.length === BATCH) unread = true;
    }
  } finally {
    stopListening();
    signal?.removeEventListener("abort", onAbort);
  }
}
