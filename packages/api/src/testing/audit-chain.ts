import { setTimeout as delay } from "node:timers/promises";
import type { Database } from "@medical/db";
import { auditChain } from "@medical/db/schema";
import { eq, type SQL, sql } from "drizzle-orm";
import { sealAuditChain } from "#platform/audit/chain.ts";
import type { Deps } from "#platform/deps.ts";

/** Whether event `eventId` has a link in the chain. */
export async function isSealed(db: Database, eventId: number): Promise<boolean> {
  const [link] = await db.select().from(auditChain).where(eq(auditChain.eventId, eventId)).limit(1);
  return link !== undefined;
}

/**
 * Runs sealing passes until event `eventId` is chained. On PostgreSQL the sealer waits for every
 * older transaction of the whole cluster, so another test file's long transaction can hold it back
 * for a while: poll, never assume one pass is enough (PGlite needs one).
 */
export async function sealThrough(
  deps: Pick<Deps, "db" | "logger">,
  eventId: number,
  { timeoutMs = 15_000, batchSize }: { timeoutMs?: number; batchSize?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sealAuditChain(deps, { batchSize });
    if (await isSealed(deps.db, eventId)) return;
    if (Date.now() > deadline)
      throw new Error(`audit event ${eventId} was not sealed within ${timeoutMs} ms`);
    await delay(50);
  }
}

/**
 * Runs `statements` as a superuser who bypasses triggers would (`session_replication_role =
 * replica` turns off the append-only triggers for this transaction only): the tampering the hash
 * chain exists to detect.
 */
export async function asSuperuser(db: Database, ...statements: SQL[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    for (const statement of statements) await tx.execute(statement);
  });
}
