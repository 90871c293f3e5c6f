import { randomUUID } from "node:crypto";
import { doctorWithHours, makePatient, TEST_PASSWORD } from "@medical/api/testing";
import {
  createMedicalClient,
  MAX_BATCH_ITEMS,
  type MedicalClient,
  type MedicalClientOptions,
} from "@medical/sdk";
import { getUntypedClient } from "@trpc/client";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { MAX_BATCH_SIZE } from "../src/app.ts";
import { createSessionProbeRouter } from "./support/session-probe-router.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

// The JWT `exp` claim counts whole seconds: a token lives 1 to 2 s.
const SHORT_ACCESS_TTL_MS = 2_000;
/** The short-lived server's clock: HTTP tests move it past a token's expiry instead of sleeping. */
let clockOffsetMs = 0;
const movableClock = { now: () => new Date(Date.now() + clockOffsetMs) };

let server: TestServer;
/** Same database, access tokens that expire within two seconds. */
let shortLived: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: createSessionProbeRouter() });
  shortLived = await startTestServer({
    router: createSessionProbeRouter(),
    handle: server.handle,
    deps: { accessTtlMs: SHORT_ACCESS_TTL_MS, clock: movableClock },
  });
});
afterAll(async () => {
  await shortLived.shutdown(); // the database belongs to `server`
  await server.close();
});

const clients: MedicalClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function connect(on: TestServer, options: Partial<MedicalClientOptions> = {}): MedicalClient {
  const client = createMedicalClient({ url: on.url, WebSocket: clientWebSocket, ...options });
  clients.push(client);
  return client;
}

const newAccount = () => ({
  email: `sdk-${randomUUID()}@example.dz`,
  password: TEST_PASSWORD,
  firstName: "Amina",
  lastName: "Benali",
});

/** A `fetch` for the SDK that counts the requests which reached `auth.refresh`. */
function countingFetch() {
  const paths: string[] = [];
  const counted: typeof fetch = (input, init) => {
    paths.push(new URL(input instanceof Request ? input.url : input).pathname);
    return fetch(input, init);
  };
  return { fetch: counted, refreshes: () => paths.filter((path) => path.includes("auth.refresh")).length };
}

/** The test's WebSocket class, recording every socket the SDK opens and every close code. */
function recordingWebSocket() {
  const opened: WebSocket[] = [];
  const closeCodes: number[] = [];
  class RecordingWebSocket extends clientWebSocket {
    constructor(...args: ConstructorParameters<typeof clientWebSocket>) {
      super(...args);
      opened.push(this);
      this.addEventListener("close", (event) => closeCodes.push(event.code));
    }
  }
  return { WebSocket: RecordingWebSocket, opened, closeCodes };
}

/** Callbacks for a subscription, with promises for its start and its end. */
function watcher<T>() {
  const data: T[] = [];
  let markStarted = () => {};
  let markEnded = (_how: "complete" | "error") => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const ended = new Promise<"complete" | "error">((resolve) => {
    markEnded = resolve;
  });
  return {
    data,
    started,
    ended,
    callbacks: {
      onStarted: () => markStarted(),
      onData: (value: T) => data.push(value),
      onError: () => markEnded("error"),
      onComplete: () => markEnded("complete"),
    },
  };
}

const expireAccessTokens = () => {
  clockOffsetMs += SHORT_ACCESS_TTL_MS;
};

describe("@medical/sdk over HTTP", () => {
  test("reads health with the router's types", async () => {
    const client = connect(server, { url: `${server.url}/` });
    const health = await client.api.health.check.query();
    expect(health).toMatchObject({ status: "ok", database: "up", databaseKind: server.handle.kind });
  });

  test("splits batches to what the server accepts", async () => {
    expect(MAX_BATCH_ITEMS).toBeLessThanOrEqual(MAX_BATCH_SIZE);
    const client = connect(server);
    const results = await Promise.all(Array.from({ length: 25 }, () => client.api.health.check.query()));
    expect(results).toHaveLength(25);
  });

  test("register, login and logout keep the token store in step", async () => {
    const client = connect(server);
    const account = newAccount();
    const registered = await client.register(account);
    expect(registered.email).toBe(account.email);
    const afterRegister = client.tokens.get();
    expect(afterRegister).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String) });

    await client.login(account.email, account.password);
    expect(client.tokens.get()?.refreshToken).not.toBe(afterRegister?.refreshToken);
    await expect(client.api.users.me.query()).resolves.toMatchObject({ email: account.email });

    await client.logout();
    expect(client.tokens.get()).toBeNull();
    await expect(client.api.users.me.query()).rejects.toMatchObject({ data: { appCode: "UNAUTHENTICATED" } });
  });

  test("parallel calls with an expired access token share one refresh and all succeed", async () => {
    const counter = countingFetch();
    const client = connect(shortLived, { fetch: counter.fetch });
    const account = newAccount();
    await client.register(account);
    await client.login(account.email, account.password);
    await expect(client.api.users.me.query()).resolves.toMatchObject({ email: account.email });
    const expired = client.tokens.get();
    const refreshesBefore = counter.refreshes();

    expireAccessTokens();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.api.users.me.query()));

    expect(results.map((user) => user.email)).toEqual(Array(5).fill(account.email));
    expect(counter.refreshes() - refreshesBefore).toBe(1);
    const fresh = client.tokens.get();
    expect(fresh?.accessToken).not.toBe(expired?.accessToken);
    expect(fresh?.refreshToken).not.toBe(expired?.refreshToken);
  });

  test("a failed refresh empties the store and surfaces the original error", async () => {
    const counter = countingFetch();
    const client = connect(shortLived, { fetch: counter.fetch });
    const other = connect(shortLived);
    const account = newAccount();
    await client.register(account);
    await other.login(account.email, account.password);
    await other.api.auth.logoutAll.mutate();

    expireAccessTokens();
    const calls = Array.from({ length: 3 }, () => client.api.users.me.query());

    for (const call of calls)
      await expect(call).rejects.toMatchObject({ data: { appCode: "TOKEN_EXPIRED" } });
    expect(counter.refreshes()).toBe(1);
    expect(client.tokens.get()).toBeNull();
  });
});

describe("@medical/sdk: scheduling with the router's types", () => {
  test("a patient reads slots, books one, lists it, reschedules and cancels it; the doctor sees it", async () => {
    const { doctor, user: doctorUser, iso } = await doctorWithHours(server.deps);
    const { user } = await makePatient(server.handle.db);
    const client = connect(server);
    await client.login(user.email, TEST_PASSWORD);

    const tomorrow = iso(1, "09:00").slice(0, 10);
    const slots = await client.api.availability.slots.query({ id: doctor.id, from: tomorrow, to: tomorrow });
    expect(slots.timezone).toBe(doctor.timezone);
    const first = slots.days[0]?.slots[0];
    expect(first?.localStart).toBe("09:00");

    const booked = await client.api.appointments.book.mutate({
      doctorId: doctor.id,
      startsAt: iso(1, "09:00"),
      reason: "Contrôle",
      idempotencyKey: randomUUID(),
    });
    expect(booked).toMatchObject({ status: "SCHEDULED", reason: "Contrôle", doctor: { id: doctor.id } });
    expect(booked.startsAt).toBeInstanceOf(Date);
    expect((await client.api.appointments.mine.query({})).items.map((item) => item.id)).toEqual([booked.id]);

    const moved = await client.api.appointments.reschedule.mutate({
      id: booked.id,
      startsAt: iso(1, "10:00"),
    });
    expect(moved.startsAt.toISOString()).toBe(iso(1, "10:00"));
    const detail = await client.api.appointments.get.query({ id: booked.id });
    expect(detail.history.map((change) => change.startsAt.toISOString())).toEqual([iso(1, "09:00")]);
    const cancelled = await client.api.appointments.cancel.mutate({ id: booked.id, reason: "Empêchement" });
    expect(cancelled.cancellation).toMatchObject({
      by: { userId: user.id, role: "PATIENT" },
      reason: "Empêchement",
    });

    const doctorClient = connect(server);
    await doctorClient.login(doctorUser.email, TEST_PASSWORD);
    const seen = await doctorClient.api.appointments.doctorMine.query({ status: ["CANCELLED"] });
    expect(seen.items.map((item) => item.id)).toEqual([booked.id]);
    await expect(client.api.appointments.doctorMine.query({})).rejects.toMatchObject({
      data: { appCode: "FORBIDDEN" },
    });
  });
});

describe("@medical/sdk over WebSocket", () => {
  test("a socket closed with 4401 on expiry refreshes once and resubscribes with the new token", async () => {
    const counter = countingFetch();
    const sockets = recordingWebSocket();
    const client = connect(shortLived, { fetch: counter.fetch, WebSocket: sockets.WebSocket });
    const account = newAccount();
    await client.register(account);
    const first = client.tokens.get()?.accessToken;

    const probe = watcher<unknown>();
    const subscription = getUntypedClient(client.api).subscription(
      "sessionProbe.socketToken",
      undefined,
      probe.callbacks,
    );
    await vi.waitFor(() => expect(probe.data).toHaveLength(2), { timeout: 3 * SHORT_ACCESS_TTL_MS });
    subscription.unsubscribe();

    expect(probe.data[0]).toBe(first);
    expect(probe.data[1]).toBe(client.tokens.get()?.accessToken);
    expect(probe.data[1]).not.toBe(first);
    expect(counter.refreshes()).toBe(1);
    expect(sockets.closeCodes[0]).toBe(4401);
    expect(sockets.opened).toHaveLength(2);
  });

  test.each([
    { open: "auth.onSessionEvent alone", withProbe: false },
    { open: "a subscription that would otherwise reconnect", withProbe: true },
  ])(
    "a revoked session with $open: the event arrives, the refresh fails, the store empties, no reconnect",
    async ({ withProbe }) => {
      const counter = countingFetch();
      const sockets = recordingWebSocket();
      const client = connect(server, { fetch: counter.fetch, WebSocket: sockets.WebSocket });
      const other = connect(server);
      const account = newAccount();
      await client.register(account);
      await other.login(account.email, account.password);

      const sessionEvents = watcher<{ type: string }>();
      client.api.auth.onSessionEvent.subscribe(undefined, sessionEvents.callbacks);
      // Stays open until the client stops it: only the SDK's own decision can end it.
      const probe = watcher<unknown>();
      if (withProbe) {
        getUntypedClient(client.api).subscription("sessionProbe.socketToken", undefined, probe.callbacks);
        await probe.started;
      }
      await sessionEvents.started;

      await other.api.auth.logoutAll.mutate();

      await expect(sessionEvents.ended).resolves.toBe("complete");
      expect(sessionEvents.data).toEqual([expect.objectContaining({ type: "SESSION_REVOKED" })]);
      if (withProbe) await expect(probe.ended).resolves.toBe("complete");
      await vi.waitFor(() => expect(client.tokens.get()).toBeNull());
      expect(counter.refreshes()).toBe(1);
      expect(sockets.closeCodes).toEqual([4401]);
      expect(sockets.opened).toHaveLength(1);
    },
  );
});
