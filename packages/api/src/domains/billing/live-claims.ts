import type { Executor } from "@medical/db";
import { insuranceClaims, LIVE_CLAIM_STATUSES } from "@medical/db/schema";
import { and, eq, inArray, type SQL } from "drizzle-orm";

/** Claims that hold part of a coverage (SUBMITTED, APPROVED, PAID) of one entry or one policy. */
export function liveClaimsOf(on: { entryId: string } | { policyId: string }): SQL | undefined {
  return and(
    "entryId" in on
      ? eq(insuranceClaims.billingEntryId, on.entryId)
      : eq(insuranceClaims.policyId, on.policyId),
    inArray(insuranceClaims.status, [...LIVE_CLAIM_STATUSES]),
  );
}

/** Whether the entry or the policy has live claims. */
export async function hasLiveClaims(
  tx: Executor,
  on: { entryId: string } | { policyId: string },
): Promise<boolean> {
  const [live] = await tx
    .select({ id: insuranceClaims.id })
    .from(insuranceClaims)
    .where(liveClaimsOf(on))
    .limit(1);
  return live !== undefined;
}
