import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { QueryObserver } from "./observe.ts";
import { selectRows } from "./rows.ts";
import type { TestDatabase } from "./testing/databases.ts";
import { openFileDatabase } from "./testing/vitest.ts";

let handle: TestDatabase;
beforeAll(async () => {
  handle = await openFileDatabase();
});
afterAll(() => handle.close());

function recorder() {
  const seen = { started: 0, ok: 0, failed: 0, seconds: [] as number[] };
  const observer: QueryObserver = {
    queryStarted: () => {
      seen.started += 1;
    },
    querySettled: (seconds, failed) => {
      seen.seconds.push(seconds);
      if (failed) seen.failed += 1;
      else seen.ok += 1;
    },
  };
  return { seen, observer };
}

describe(`observed queries (${process.env.TEST_DB ?? "pglite"})`, () => {
  test("report every statement, in and out of transactions, with its time and outcome; none before observing", async () => {
    await handle.db.execute(sql`select 1`);
    const { seen, observer } = recorder();
    handle.observeQueries(observer);

    expect(await selectRows(handle.db, sql`select 41 + 1 as n`)).toEqual([{ n: 42 }]);
    await expect(handle.db.execute(sql`select * from no_such_table`)).rejects.toThrow();
    const inside = await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      return tx.transaction(async (nested) => selectRows(nested, sql`select 'nested' as at`));
    });
    expect(inside).toEqual([{ at: "nested" }]);

    // One outside, two in the transaction; on PGlite, Drizzle sends the nested savepoint's two statements itself.
    expect(seen.failed).toBe(1);
    expect(seen.ok).toBe(handle.kind === "pglite" ? 5 : 3);
    expect(seen.started).toBe(seen.ok + seen.failed);
    expect(seen.seconds.every((s) => s >= 0 && s < 60)).toBe(true);
  });
});
