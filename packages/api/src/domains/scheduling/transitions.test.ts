import { APPOINTMENT_STATUSES } from "@medical/db/schema";
import { describe, expect, test } from "vitest";
import { ROLES } from "#platform/auth/roles.ts";
import { checkTransition, mayRequest, TARGET_STATUSES } from "./transitions.ts";

/** The table, written out: every move that succeeds, as "ROLE FROM→TO before|after start". */
const ALLOWED = new Set([
  ...["DOCTOR", "STAFF", "ADMIN"].flatMap((role) => [
    `${role} SCHEDULED→COMPLETED after`,
    `${role} SCHEDULED→NO_SHOW after`,
    `${role} SCHEDULED→CANCELLED before`,
    `${role} SCHEDULED→CANCELLED after`,
  ]),
  "PATIENT SCHEDULED→CANCELLED before",
]);

const START = new Date("2026-12-01T08:30:00.000Z");
const moments = [
  ["before", new Date(START.getTime() - 1)],
  ["after", START],
] as const;

const cases = ROLES.flatMap((role) =>
  APPOINTMENT_STATUSES.flatMap((from) =>
    TARGET_STATUSES.flatMap((to) => moments.map(([when, now]) => ({ role, from, to, when, now }))),
  ),
);

describe("the transition table", () => {
  test.each(cases)("$role $from→$to $when the start", ({ role, from, to, when, now }) => {
    const verdict = checkTransition({ status: from, startsAt: START }, to, role, now);
    expect(verdict.ok).toBe(ALLOWED.has(`${role} ${from}→${to} ${when}`));
  });

  test("the start itself counts as started: COMPLETED at the first millisecond, a patient's cancel no more", () => {
    expect(checkTransition({ status: "SCHEDULED", startsAt: START }, "COMPLETED", "DOCTOR", START)).toEqual({
      ok: true,
    });
    expect(
      checkTransition({ status: "SCHEDULED", startsAt: START }, "CANCELLED", "PATIENT", START),
    ).toMatchObject({ ok: false, reason: "started" });
  });

  test("a role may ask for a status only if some move of the table reaches it: a PATIENT only cancels", () => {
    const asked = ROLES.flatMap((role) =>
      TARGET_STATUSES.filter((to) => mayRequest(role, to)).map((to) => `${role} ${to}`),
    );
    expect(asked.sort()).toEqual(
      [
        "ADMIN CANCELLED",
        "ADMIN COMPLETED",
        "ADMIN NO_SHOW",
        "DOCTOR CANCELLED",
        "DOCTOR COMPLETED",
        "DOCTOR NO_SHOW",
        "PATIENT CANCELLED",
        "STAFF CANCELLED",
        "STAFF COMPLETED",
        "STAFF NO_SHOW",
      ].sort(),
    );
  });

  test("refusals say why: a final status, too early, too late", () => {
    expect(
      checkTransition({ status: "COMPLETED", startsAt: START }, "CANCELLED", "ADMIN", START),
    ).toMatchObject({
      ok: false,
      reason: "final",
    });
    expect(
      checkTransition(
        { status: "SCHEDULED", startsAt: START },
        "NO_SHOW",
        "STAFF",
        new Date(START.getTime() - 1),
      ),
    ).toMatchObject({ ok: false, reason: "not_started" });
  });
});
