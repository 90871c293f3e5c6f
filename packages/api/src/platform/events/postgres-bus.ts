import postgres from "postgres";
import type { SharedEventBus } from "./event-bus.ts";
import { createSharedEventBus, type SharedBusOptions } from "./shared-bus.ts";

export interface PostgresEventBusOptions extends SharedBusOptions {
  /** The application's database: NOTIFY reaches the sessions that LISTEN on the same database. */
  url: string;
  channel: string;
}

/** The application name of the bus's connections in `pg_stat_activity`. */
export const EVENT_BUS_APPLICATION_NAME = "medical-backend events";

/**
 * A shared bus over PostgreSQL LISTEN/NOTIFY, on two connections of its own beside the request
 * pool: one sends NOTIFY (in publish order, never queued behind requests), and postgres.js's
 * dedicated LISTEN connection, which reconnects and listens again after it is lost. Resolves once
 * this process listens.
 */
export function createPostgresEventBus(options: PostgresEventBusOptions): Promise<SharedEventBus> {
  const { url, channel, logger } = options;
  return createSharedEventBus(options, async (receive) => {
    const sql = postgres(url, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: EVENT_BUS_APPLICATION_NAME },
    });
    let listened = false;
    try {
      await sql.listen(channel, receive, () => {
        // Called on every LISTEN: after the first, the connection was lost and is back.
        if (listened) logger.warn({ channel }, "event bus: LISTEN again after a lost connection");
        listened = true;
      });
    } catch (error) {
      await sql.end({ timeout: 0 });
      throw new Error("event bus: cannot LISTEN on PostgreSQL at DATABASE_URL", { cause: error });
    }
    return {
      send: async (message) => {
        await sql.notify(channel, message);
      },
      close: () => sql.end({ timeout: 1 }),
    };
  });
}
