import type { Executor, Transaction } from "@medical/db";
import { pgErrorFacts } from "@medical/db";
import { insurancePolicies } from "@medical/db/schema";
import { and, eq, inArray, ne, or, sql } from "drizzle-orm";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";

/**
 * A policy number is one contract of one patient (decision record 0031): two active
 * policies with one provider's number are refused, and so is a number another patient holds,
 * even on a deactivated policy. The number is encrypted with a random IV, so the database compares
 * a keyed digest of it (`number_key`): one active policy per key is a unique index; the rest is
 * checked under one advisory lock that every write of a number takes.
 */

/** The digests' purpose: keys of their own, bound to this column. */
const PURPOSE = "insurance_policies.number_key";
/** Any fixed 64-bit key ("med-pnum"), distinct from the others the application takes. */
const POLICY_NUMBER_LOCK_KEY = 0x6d65642d706e756dn;
const UNIQUE_VIOLATION = "23505";
const NUMBER_INDEX = "insurance_policies_number_key";

/**
 * An insurer's name as compared: accents, case and runs of spaces aside, so `Mutuelle générale`
 * and `MUTUELLE  GENERALE` are one provider.
 */
export function normalizeProvider(provider: string): string {
  return provider.normalize("NFKD").replace(/\p{M}/gu, "").toUpperCase().replace(/\s+/gu, " ").trim();
}

/**
 * A policy number as compared: its letters and digits only, upper-case, so `16-0412 7788.21` and
 * `1604127788 21` are one number (cards print separators, desks type them as they like).
 */
export function normalizePolicyNumber(policyNumber: string): string {
  return policyNumber
    .normalize("NFKC")
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
}

/** The keys of a provider's number under every configured key, the current one first. */
export function policyNumberKeys(
  cipher: FieldCipher,
  provider: string,
  policyNumber: string,
): [current: string, ...older: string[]] {
  return cipher.digests(
    `${normalizeProvider(provider)}\u0000${normalizePolicyNumber(policyNumber)}`,
    PURPOSE,
  );
}

/** What a policy about to be written with a number is. */
export interface NumberHolder {
  /** The policy's own id: its other rows conflict, not itself. */
  id: string;
  patientId: string;
  /** Whether it is active once written: only active policies conflict with active ones. */
  isActive: boolean;
}

/**
 * Takes the policy-number lock for the rest of the transaction, then tells whether another policy
 * holds the number for `holder`: one of another patient (active or not: the number stays theirs),
 * or an active one when `holder` will be active. Looks under every configured key, so a row not
 * yet re-keyed by `pnpm keys:rotate` still counts. The lock is one for every number: registering
 * a policy is rare, and one lock makes the check and the write a single step whatever the keys.
 */
export async function numberTaken(
  tx: Executor,
  keys: readonly string[],
  holder: NumberHolder,
): Promise<boolean> {
  await tx.execute(sql`select pg_advisory_xact_lock(${POLICY_NUMBER_LOCK_KEY.toString()}::bigint)`);
  const p = insurancePolicies;
  const [other] = await tx
    .select({ id: p.id })
    .from(p)
    .where(
      and(
        inArray(p.numberKey, [...keys]),
        ne(p.id, holder.id),
        holder.isActive
          ? or(ne(p.patientId, holder.patientId), eq(p.isActive, true))
          : ne(p.patientId, holder.patientId),
      ),
    )
    .limit(1);
  return other !== undefined;
}

/**
 * Runs a policy's write in a savepoint, so that the unique index's refusal of a second active
 * policy with the number becomes `refuse()` (an audited POLICY_EXISTS), never a 500. Only a write
 * that skipped the lock (a script), or one whose check ran under keys that cannot see the other
 * row (an instance with another ENCRYPTION_KEYS list), can lose that race.
 */
export async function writingNumber<T>(
  tx: Transaction,
  write: (savepoint: Transaction) => Promise<T>,
  refuse: () => never,
): Promise<T> {
  try {
    return await tx.transaction(write);
  } catch (error) {
    const facts = pgErrorFacts(error);
    if (facts?.code === UNIQUE_VIOLATION && facts.constraint === NUMBER_INDEX) return refuse();
    throw error;
  }
}
