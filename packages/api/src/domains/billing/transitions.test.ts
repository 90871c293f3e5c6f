import { BILLING_STATUSES, CLAIM_STATUSES } from "@medical/db/schema";
import { describe, expect, test } from "vitest";
import { CLAIM_TRANSITIONS, checkTransition, ENTRY_TRANSITIONS } from "./transitions.ts";

/** Every (from, to) pair of a kind's statuses, with whether issue 17 allows it. */
function pairs<S extends string>(statuses: readonly S[], allowed: [S, S][]) {
  return statuses.flatMap((from) =>
    statuses.map((to) => ({ from, to, ok: allowed.some(([a, b]) => a === from && b === to) })),
  );
}

describe("billing entries: UNPAID → PAID | VOID, PAID and VOID final", () => {
  test.each(
    pairs(BILLING_STATUSES, [
      ["UNPAID", "PAID"],
      ["UNPAID", "VOID"],
    ]),
  )("$from → $to: $ok", ({ from, to, ok }) => {
    const verdict = checkTransition(ENTRY_TRANSITIONS, "billing entry", from, to);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.reason).toBe(from === "UNPAID" ? "not_allowed" : "final");
  });
});

describe("claims: SUBMITTED → APPROVED | REJECTED, APPROVED → PAID, REJECTED and PAID final", () => {
  test.each(
    pairs(CLAIM_STATUSES, [
      ["SUBMITTED", "APPROVED"],
      ["SUBMITTED", "REJECTED"],
      ["APPROVED", "PAID"],
    ]),
  )("$from → $to: $ok", ({ from, to, ok }) => {
    const verdict = checkTransition(CLAIM_TRANSITIONS, "claim", from, to);
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok)
      expect(verdict.reason).toBe(from === "REJECTED" || from === "PAID" ? "final" : "not_allowed");
  });
});
