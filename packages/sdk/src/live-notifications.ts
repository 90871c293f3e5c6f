import type { TRPCClient, TRPCClientErrorLike } from "@trpc/client";
import type { AppRouter } from "./app-router.ts";
import type { RouterOutputs } from "./router-types.ts";

/** A notification as the live stream (and the list) delivers it. */
export type LiveNotification = RouterOutputs["notifications"]["list"]["items"][number];

export interface LiveNotificationsOptions {
  /** Start after this id (an earlier run's `lastEventId()`); without one, from now on. */
  lastEventId?: string;
  /** Each notification once, in order; `id` is the id to resume after. */
  onNotification(notification: LiveNotification, id: string): void;
  /**
   * The stream ended for good: signed out (the refresh failed), refused (a cap, bad input). A new
   * `live({ lastEventId: live.lastEventId() })` resumes without a gap once the cause is gone.
   */
  onError?(error: TRPCClientErrorLike<AppRouter>): void;
}

export interface LiveNotifications {
  /** The id of the last notification delivered (or the one given at the start). */
  lastEventId(): string | undefined;
  stop(): void;
}

/**
 * `notifications.onEvent`, kept going across reconnects: the WebSocket link and the SSE link each
 * resume after the last id they delivered, and the refresh link resubscribes after it when a token
 * expires or a 4401 is refreshed, so the callback sees every notification exactly once.
 */
export function liveNotifications(
  api: TRPCClient<AppRouter>,
  options: LiveNotificationsOptions,
): LiveNotifications {
  let last = options.lastEventId;
  const subscription = api.notifications.onEvent.subscribe(
    last === undefined ? undefined : { lastEventId: last },
    {
      onData: ({ id, data }) => {
        last = id;
        options.onNotification(data, id);
      },
      onError: (error) => options.onError?.(error),
    },
  );
  return { lastEventId: () => last, stop: () => subscription.unsubscribe() };
}
