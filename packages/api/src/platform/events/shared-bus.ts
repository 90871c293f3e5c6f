import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod";
import {
  createLocalSubscribers,
  type DomainEvents,
  type EventName,
  type SharedEventBus,
} from "./event-bus.ts";
import { domainEventSchemas, isEventName } from "./event-schemas.ts";

/**
 * The largest message a shared bus sends: under PostgreSQL's NOTIFY limit (payloads shorter than
 * 8000 bytes), and the same on Redis so an event that travels on one travels on the other. Events
 * carry ids, a few hundred bytes; `revokeSessions` splits long session lists to stay well below.
 */
export const MAX_MESSAGE_BYTES = 7_900;
/** At most one warning of a kind in this window, with the count of what it stands for. */
const WARNING_INTERVAL_MS = 10_000;

/** How a shared bus reaches the other instances: it sends text and hands back what arrives. */
export interface BusTransport {
  send(message: string): Promise<void>;
  close(): Promise<void>;
}

export interface SharedBusOptions {
  logger: Logger;
  /** Names this process in its messages, so it knows its own when they come back. Random by default. */
  instanceId?: string;
}

/** On the wire: `{ "from": <instance id>, "name": <event name>, "event": <payload> }`. */
export const encodeMessage = <K extends EventName>(from: string, name: K, event: DomainEvents[K]): string =>
  JSON.stringify({ from, name, event });

const Envelope = z.object({ from: z.string().min(1).max(64), name: z.string(), event: z.unknown() });

type Decoded = { ok: true; from: string; name: EventName; event: unknown } | { ok: false; reason: string };

function decode(message: string): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) return { ok: false, reason: "not an event envelope" };
  const { from, name, event } = envelope.data;
  if (!isEventName(name)) return { ok: false, reason: "unknown event name" };
  const payload = domainEventSchemas[name].safeParse(event);
  if (!payload.success) return { ok: false, reason: `invalid ${name} payload` };
  return { ok: true, from, name, event: payload.data };
}

/** A warning that a flood (another application writing on the channel) cannot turn into a log flood. */
function throttledWarning(logger: Logger, message: string) {
  let last = Number.NEGATIVE_INFINITY;
  let count = 0;
  return (fields: Record<string, unknown>) => {
    count += 1;
    const now = performance.now();
    if (now - last < WARNING_INTERVAL_MS) return;
    logger.warn({ ...fields, count }, message);
    last = now;
    count = 0;
  };
}

/**
 * An EventBus over a transport that every instance listens to (one channel for all events).
 * `publish` delivers to this process's subscribers at once, as the in-process bus does, and sends
 * the event; when it comes back on the channel this process drops it by its instance id. So each
 * subscriber hears an event once, and this process's subscribers hear it even while the
 * transport is down. What arrives is checked against the event's schema; anything else is
 * dropped with a warning. Delivery to other instances is best-effort: durable truth is in the
 * outbox (docs/decisions/0033-shared-event-bus.md).
 */
export async function createSharedEventBus(
  options: SharedBusOptions,
  connect: (receive: (message: string) => void) => Promise<BusTransport>,
): Promise<SharedEventBus> {
  const { logger } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const local = createLocalSubscribers();
  const dropped = throttledWarning(logger, "event bus: dropped a message from the channel");
  const unsent = throttledWarning(logger, "event bus: an event did not reach the other instances");

  const receive = (message: string) => {
    const decoded = decode(message);
    if (!decoded.ok) return dropped({ reason: decoded.reason, bytes: Buffer.byteLength(message) });
    if (decoded.from === instanceId) return;
    try {
      local.deliver(decoded.name, decoded.event);
    } catch (error) {
      // A subscriber's fault must not escape into the connection's event loop callback.
      logger.error(
        { event: decoded.name, errorClass: error instanceof Error ? error.name : typeof error },
        "event bus: a subscriber failed",
      );
    }
  };
  const transport = await connect(receive);
  let open = true;

  return {
    publish(name, event) {
      local.deliver(name, event);
      if (!open) return;
      const message = encodeMessage(instanceId, name, event);
      const bytes = Buffer.byteLength(message);
      if (bytes > MAX_MESSAGE_BYTES) {
        logger.error(
          { event: name, bytes, limit: MAX_MESSAGE_BYTES },
          "event bus: event too large to share, delivered on this instance only",
        );
        return;
      }
      transport
        .send(message)
        .catch((error: unknown) =>
          unsent({ event: name, errorClass: error instanceof Error ? error.name : typeof error }),
        );
    },
    subscribe: local.subscribe,
    stream: local.stream,
    async close() {
      if (!open) return;
      open = false;
      await transport.close();
    },
  };
}
