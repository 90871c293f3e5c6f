import { type Database, selectRows } from "@medical/db";
import { sql } from "drizzle-orm";

/**
 * Waits until a statement of `db`'s database waits for a lock (PostgreSQL): a test that holds a
 * lock in one transaction and starts a request knows the request reached it. Polls, since
 * PostgreSQL tells no one when a statement starts waiting.
 */
export async function someoneWaitsForALock(db: Database): Promise<void> {
  for (let tries = 0; tries < 200; tries += 1) {
    const [row] = await selectRows(
      db,
      sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (Number(row?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("nothing waited for the lock");
}
