import { realtimeTickets } from "@medical/db/schema";
import { describe, expect, test } from "vitest";
import type { Clock } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn } from "#testing/sign-in.ts";
import { TICKET_TTL_SECONDS } from "./realtime.schema.ts";
import { redeemTicket } from "./tickets.service.ts";

/** The clock tickets are issued and redeemed by: tests move it, nothing sleeps. */
let now = new Date("2026-12-01T09:00:00.000Z");
const clock: Clock = { now: () => now };
const file = useFileDeps({ clock });

async function ticketOfNewPatient() {
  const signedIn = await signIn(file.deps, (await makePatient(file.db)).user);
  const { ticket, expiresIn } = await signedIn.caller.realtime.ticket();
  return { ...signedIn, ticket, expiresIn };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "redeemed",
    (error: unknown) => (error instanceof DomainError ? error.code : error),
  );

describe("real-time tickets", () => {
  test("a ticket names its caller's session once, and only its hash is stored", async () => {
    const { ticket, expiresIn, user } = await ticketOfNewPatient();
    expect(expiresIn).toBe(TICKET_TTL_SECONDS);
    const stored = await file.db.select().from(realtimeTickets);
    expect(JSON.stringify(stored)).not.toContain(ticket);

    const actor = await redeemTicket(file.deps, ticket);
    expect(actor).toMatchObject({ userId: user.id, role: "PATIENT" });
    expect(await refusal(redeemTicket(file.deps, ticket))).toBe("UNAUTHENTICATED");
  });

  test("of two uses at once, exactly one opens a socket", async () => {
    const { ticket } = await ticketOfNewPatient();
    const outcomes = await Promise.all([
      refusal(redeemTicket(file.deps, ticket)),
      refusal(redeemTicket(file.deps, ticket)),
    ]);
    expect(outcomes.sort()).toEqual(["UNAUTHENTICATED", "redeemed"]);
  });

  test(`a ticket is refused ${TICKET_TTL_SECONDS} seconds after it was issued`, async () => {
    const { ticket } = await ticketOfNewPatient();
    const issuedAt = now;
    try {
      now = new Date(issuedAt.getTime() + TICKET_TTL_SECONDS * 1000);
      expect(await refusal(redeemTicket(file.deps, ticket))).toBe("UNAUTHENTICATED");
    } finally {
      now = issuedAt;
    }
  });

  test("a ticket of a session that ended is refused", async () => {
    const { ticket, caller, refreshToken } = await ticketOfNewPatient();
    await caller.auth.logout({ refreshToken });
    expect(await refusal(redeemTicket(file.deps, ticket))).toBe("UNAUTHENTICATED");
  });

  test("a ticket asked for just before its access token expires is refused once the token has", async () => {
    const { caller } = await ticketOfNewPatient();
    const issuedAt = now;
    const { accessExpiresAt } = await redeemTicket(file.deps, (await caller.realtime.ticket()).ticket);
    try {
      now = new Date(accessExpiresAt.getTime() - 10_000);
      const { ticket } = await caller.realtime.ticket();
      // Ten seconds later the ticket itself is still young, but the token behind it has expired.
      now = new Date(accessExpiresAt.getTime() + 1000);
      expect(await refusal(redeemTicket(file.deps, ticket))).toBe("UNAUTHENTICATED");
    } finally {
      now = issuedAt;
    }
  });
});
