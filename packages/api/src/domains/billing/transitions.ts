import type { BillingStatus, ClaimStatus } from "@medical/db/schema";

/**
 * The transition tables of issue 17, one per kind: where each status may go. A status with no
 * target is final. Who may move one (STAFF and ADMIN) is the procedures' role check; whether a row
 * is in reach is the access predicate's.
 */
export const ENTRY_TRANSITIONS = {
  UNPAID: ["PAID", "VOID"],
  PAID: [],
  VOID: [],
} as const satisfies Record<BillingStatus, readonly BillingStatus[]>;

export const CLAIM_TRANSITIONS = {
  SUBMITTED: ["APPROVED", "REJECTED"],
  APPROVED: ["PAID"],
  REJECTED: [],
  PAID: [],
} as const satisfies Record<ClaimStatus, readonly ClaimStatus[]>;

/** The statuses a client may ask an entry or a claim to move to: never the first one. */
export type EntryTarget = (typeof ENTRY_TRANSITIONS)[keyof typeof ENTRY_TRANSITIONS][number];
export type ClaimTarget = (typeof CLAIM_TRANSITIONS)[keyof typeof CLAIM_TRANSITIONS][number];
export const ENTRY_TARGETS = ["PAID", "VOID"] as const satisfies readonly EntryTarget[];
export const CLAIM_TARGETS = ["APPROVED", "REJECTED", "PAID"] as const satisfies readonly ClaimTarget[];

export type TransitionVerdict =
  | { ok: true }
  | { ok: false; reason: "final" | "not_allowed"; message: string };

/** The table's answer for a move from `from` to `to` (`INVALID_TRANSITION` when not ok). */
export function checkTransition<S extends string>(
  table: Record<S, readonly S[]>,
  noun: string,
  from: S,
  to: S,
): TransitionVerdict {
  const targets: readonly S[] = table[from];
  if (targets.length === 0)
    return { ok: false, reason: "final", message: `A ${from} ${noun} does not change status` };
  if (!targets.includes(to))
    return { ok: false, reason: "not_allowed", message: `A ${from} ${noun} cannot become ${to}` };
  return { ok: true };
}
