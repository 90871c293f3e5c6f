import { type BackgroundPasses, runPasses } from "#platform/background.ts";
import type { Deps } from "#platform/deps.ts";
import { consumeUntilCaughtUp, type OutboxConsumer, startOutboxConsumer } from "#platform/events/consumer.ts";
import { NOTIFICATIONS_PER_EVENT } from "#platform/events/event-bus.ts";
import { type Derived, deliver } from "./deliver.ts";
import { DERIVED_EVENTS, derivationOf, UnreadableEvent } from "./derive.ts";
import { sendDueNotificationMails } from "./mail-delivery.ts";
import { syncReminderJobs } from "./reminders.ts";

/** The consumer's name: its outbox position and its claims (`processed_events.consumer`). */
export const NOTIFICATIONS_CONSUMER = "notifications";
/** Any fixed 64-bit key shared by every instance ("med-noti"): one consumer at a time, cluster-wide. */
export const NOTIFICATIONS_LOCK_KEY = 0x6d65642d6e6f7469n;

type ConsumerDeps = Pick<Deps, "db" | "clock" | "events" | "mailer" | "logger" | "settings">;

/**
 * The notifications consumer (decision record 0034): each outbox event it derives from becomes
 * notifications and queued mails (and an appointment event, its reminder jobs: decision record
 * 0035) in the transaction that claims it (a batch of events at a time); after the commit it publishes
 * `notifications.created` (ids only, a slice of them per event) and calls `delivered`.
 */
export function notificationsConsumer(deps: ConsumerDeps, delivered: () => void = () => {}): OutboxConsumer {
  return {
    name: NOTIFICATIONS_CONSUMER,
    lockKey: NOTIFICATIONS_LOCK_KEY,
    async handle(tx, events) {
      const batch: Derived[] = [];
      for (const event of events) {
        await syncReminderJobs(tx, event, deps.settings.reminderOffsetsMinutes);
        const derive = derivationOf(event.type);
        if (!derive) continue;
        try {
          const derivation = await derive(tx, event);
          if (derivation) batch.push({ eventId: event.id, derivation });
        } catch (error) {
          // It would fail the same way on every retry and hold back every later event: skip it, loudly.
          if (!(error instanceof UnreadableEvent)) throw error;
          deps.logger.warn(
            { eventId: event.id, eventType: event.type },
            "outbox event skipped: unreadable payload",
          );
        }
      }
      if (!batch.length) return undefined;
      const created = await deliver(tx, deps.clock.now(), batch);
      return () => {
        for (let start = 0; start < created.length; start += NOTIFICATIONS_PER_EVENT)
          deps.events.publish("notifications.created", {
            v: 1,
            items: created.slice(start, start + NOTIFICATIONS_PER_EVENT),
          });
        delivered();
      };
    },
  };
}

/**
 * Runs the consumer in the background (the server starts it after listening and stops it after
 * draining requests): a pass every `intervalMs`, and one at once when the EventBus carries an event
 * it derives from (this instance's commits, and other instances' on a shared bus); the tick covers
 * what a best-effort bus loses. Mail goes out from passes of its own, woken by each delivery: a
 * slow mail server or an announcement's 10k mails never hold back the next in-app notifications.
 */
export function startNotificationConsumer(
  deps: ConsumerDeps,
  options: { intervalMs: number } = { intervalMs: 1_000 },
): BackgroundPasses {
  const mail = runPasses(() => sendDueNotificationMails(deps), {
    intervalMs: options.intervalMs,
    logger: deps.logger.child({ worker: "notification-mail" }),
    failure: "notification mail pass failed",
  });
  const running = startOutboxConsumer(deps, notificationsConsumer(deps, mail.wake), options);
  const unsubscribe = DERIVED_EVENTS.map((name) => deps.events.subscribe(name, () => running.wake()));
  return {
    wake: running.wake,
    async stop() {
      for (const stopListening of unsubscribe) stopListening();
      await running.stop();
      await mail.stop();
    },
  };
}

/**
 * Consumes every event committed before the call, then sends the mails due: for tests and tools,
 * which await this instead of waiting for the background consumer's tick.
 */
export async function catchUpNotifications(
  deps: ConsumerDeps,
  options?: { timeoutMs?: number },
): Promise<void> {
  await consumeUntilCaughtUp(deps, notificationsConsumer(deps), options);
  await sendDueNotificationMails(deps);
}
