import { setTimeout as delay } from "node:timers/promises";
import { Redis } from "ioredis";
import type { SharedEventBus } from "./event-bus.ts";
import { createSharedEventBus, type SharedBusOptions } from "./shared-bus.ts";

export interface RedisEventBusOptions extends SharedBusOptions {
  url: string;
  /** Redis channels span its numbered databases: the channel alone separates deployments. */
  channel: string;
}

// Publishes wait this many reconnection attempts in ioredis's queue, then fail (logged): an event
// that old is better read from the database than delivered late.
const PUBLISH_RETRIES = 2;
const QUIT_TIMEOUT_MS = 1_000;

/**
 * A shared bus over Redis pub/sub, on two connections (a connection that subscribes can do nothing
 * else): ioredis reconnects both and subscribes again by itself. Both are named `<channel>:sub`
 * and `<channel>:pub` in `CLIENT LIST`. Resolves once this process is subscribed; rejects when
 * Redis does not answer, so an instance does not start deaf to other instances' revocations.
 */
export function createRedisEventBus(options: RedisEventBusOptions): Promise<SharedEventBus> {
  const { url, channel, logger } = options;
  return createSharedEventBus(options, async (receive) => {
    const connection = (role: "sub" | "pub") => {
      const redis = new Redis(url, {
        lazyConnect: true,
        connectionName: `${channel}:${role}`,
        maxRetriesPerRequest: role === "pub" ? PUBLISH_RETRIES : null,
      });
      // ioredis reports each failed attempt: say it once per outage, and when it ends.
      let up = true;
      redis.on("error", (error: Error) => {
        if (up)
          logger.warn({ role, errorClass: error.name }, "event bus: Redis connection lost, reconnecting");
        up = false;
      });
      redis.on("ready", () => {
        if (!up) logger.warn({ role }, "event bus: Redis connection back");
        up = true;
      });
      return redis;
    };
    const subscriber = connection("sub");
    const publisher = connection("pub");
    subscriber.on("message", (from: string, message: string) => {
      if (from === channel) receive(message);
    });
    try {
      await Promise.all([subscriber.connect(), publisher.connect()]);
      await subscriber.subscribe(channel);
    } catch (error) {
      subscriber.disconnect();
      publisher.disconnect();
      throw new Error("event bus: cannot subscribe on Redis at REDIS_URL", { cause: error });
    }
    return {
      send: async (message) => {
        await publisher.publish(channel, message);
      },
      close: async () => {
        await Promise.all([subscriber, publisher].map(quit));
      },
    };
  });
}

/** QUIT lets sent commands finish; a Redis that does not answer is cut off. */
async function quit(redis: Redis): Promise<void> {
  await Promise.race([
    redis.quit().catch(() => undefined),
    delay(QUIT_TIMEOUT_MS, undefined, { ref: false }),
  ]);
  redis.disconnect();
}
