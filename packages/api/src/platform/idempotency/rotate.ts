import { idempotencyKeys } from "@medical/db/schema";
import { and, asc, eq, isNotNull, sql } from "drizzle-orm";
import { noRotation, type RotationCounts, reencrypt } from "../crypto/rotation.ts";
import type { Deps } from "../deps.ts";
import { storedAnswerContext } from "./idempotency.ts";

/**
 * `pnpm keys:rotate`, stored answers: re-encrypts those not under the current key, a batch of
 * `batchSize` rows at a time (no audit: they repeat what their operations audited). A row answered
 * again meanwhile is skipped; one no key decrypts is counted and left to expire.
 */
export async function rotateStoredAnswers(
  deps: Pick<Deps, "db" | "fieldCipher">,
  options: { batchSize?: number } = {},
): Promise<RotationCounts> {
  const batchSize = options.batchSize ?? 500;
  const counts = noRotation();
  const k = idempotencyKeys;
  let after: { userId: string; operation: string; key: string } | undefined;
  for (;;) {
    const batch = await deps.db
      .select({ userId: k.userId, operation: k.operation, key: k.key, responseBody: k.responseBody })
      .from(k)
      .where(
        and(
          isNotNull(k.responseBody),
          after
            ? sql`(${k.userId}, ${k.operation}, ${k.key}) > (${after.userId}, ${after.operation}, ${after.key})`
            : undefined,
        ),
      )
      .orderBy(asc(k.userId), asc(k.operation), asc(k.key))
      .limit(batchSize);
    if (!batch.length) return counts;
    after = batch.at(-1);
    for (const row of batch) {
      counts.scanned += 1;
      const stored = typeof row.responseBody === "string" ? row.responseBody : null;
      const result = reencrypt(deps.fieldCipher, stored, storedAnswerContext(row));
      if (result.kind === "unreadable") counts.unreadable += 1;
      else if (result.kind === "current") counts.current += 1;
      else {
        const updated = await deps.db
          .update(k)
          .set({ responseBody: result.value })
          .where(
            and(
              eq(k.userId, row.userId),
              eq(k.operation, row.operation),
              eq(k.key, row.key),
              sql`${k.responseBody} = ${JSON.stringify(stored)}::jsonb`,
            ),
          )
          .returning({ key: k.key });
        if (updated.length) counts.rotated += 1;
        else counts.skipped += 1;
      }
    }
  }
}
