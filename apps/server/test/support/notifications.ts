import { type AppRouter, catchUpNotifications } from "@medical/api";
import { makePatient, makeUser } from "@medical/api/testing";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { expect } from "vitest";
import type { restClient } from "./rest.ts";
import type { TestServer } from "./test-server.ts";

/**
 * Two patients and an ADMIN signed in over REST, with their logins' own notices (a sign-in from a
 * new device) already delivered, and the ADMIN's announcement to one account, delivered by the
 * notifications consumer: what the live notification tests send and watch.
 */
export async function notificationWorld(
  server: TestServer,
  { rest, tokenOf }: ReturnType<typeof restClient>,
) {
  const db = server.handle.db;
  const patient = (await makePatient(db)).user;
  const other = (await makePatient(db)).user;
  const admin = await makeUser(db, { role: "ADMIN" });
  const tokens = {
    patient: await tokenOf(patient.email),
    other: await tokenOf(other.email),
    admin: await tokenOf(admin.email),
  };
  await catchUpNotifications(server.deps);
  const announce = async (userId: string, title: string) => {
    const posted = await rest("/notifications", {
      token: tokens.admin,
      json: { userId, title, body: "Texte." },
    });
    expect(posted.status).toBe(202);
    await catchUpNotifications(server.deps);
  };
  return { db, patient, other, tokens, announce };
}

/** What a subscription has delivered, awaitable: `arrived()` after each delivery or failure. */
export function arrivals() {
  const waiters: (() => void)[] = [];
  return {
    arrived() {
      for (const wake of waiters.splice(0)) wake();
    },
    /** Resolves with `ready()`'s value once it has one, checked again at every arrival. */
    async waitFor<T>(ready: () => T | undefined): Promise<T> {
      for (;;) {
        const value = ready();
        if (value !== undefined) return value;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

/** A tRPC client whose subscriptions are SSE streams to the server at `baseUrl`, as `accessToken`. */
export function sseClient(baseUrl: string, accessToken: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${baseUrl}/trpc`,
        transformer: superjson,
        EventSource,
        connectionParams: () => ({ token: accessToken }),
      }),
    ],
  });
}
