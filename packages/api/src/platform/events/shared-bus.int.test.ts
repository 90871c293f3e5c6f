import { randomBytes, randomUUID } from "node:crypto";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { Redis } from "ioredis";
import pino from "pino";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";
import type { AppointmentEvent, DomainEvents, SharedEventBus } from "./event-bus.ts";
import { createPostgresEventBus, EVENT_BUS_APPLICATION_NAME } from "./postgres-bus.ts";
import { createRedisEventBus } from "./redis-bus.ts";
import type { SharedBusOptions } from "./shared-bus.ts";

/** This file's channels: parallel test files (and runs) on one PostgreSQL or Redis never cross. */
const prefix = `bus_test_${process.pid}_${randomBytes(4).toString("hex")}`;
let channels = 0;
const freshChannel = () => `${prefix}_${++channels}`;

/** What a bus logs, parsed, so tests can wait for and assert warnings. */
function capturedLogger() {
  const lines: { level: number; msg: string; reason?: string; event?: string; bytes?: number }[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

interface Adapter {
  name: string;
  available: boolean;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** A bus on the channel, on the test server or at `url`. */
  open(channel: string, options: SharedBusOptions, url?: string): Promise<SharedEventBus>;
  /** Sends text on the channel as another application on the same server could. */
  sendRaw(channel: string, text: string): Promise<void>;
  /** Identifies the connections that listen on the channel, as the server sees them. */
  listeners(channel: string): Promise<string[]>;
  /** Cuts those connections from the server's side. */
  killListeners(channel: string): Promise<void>;
  /** Every connection a bus on the channel holds (listening and sending). */
  connections(channel: string): Promise<number>;
  /** A URL where nothing answers. */
  unreachableUrl: string;
}

const onPostgres = inject("testDatabase").kind === "postgres";
let database: TestDatabase | undefined;
let admin: postgres.Sql | undefined;
const pg = () => {
  if (!database?.url || !admin) throw new Error("the PostgreSQL adapter's setUp has not run");
  return { url: database.url, admin };
};

const postgresAdapter: Adapter = {
  name: "PostgreSQL LISTEN/NOTIFY",
  available: onPostgres,
  async setUp() {
    database = await openFileDatabase();
    admin = postgres(database.url ?? "", { max: 1, onnotice: () => {} });
  },
  async tearDown() {
    await admin?.end();
    await database?.close();
  },
  open: (channel, options, url) => createPostgresEventBus({ ...options, url: url ?? pg().url, channel }),
  async sendRaw(channel, text) {
    await pg().admin.notify(channel, text);
  },
  async listeners(channel) {
    const rows = await pg().admin<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and application_name = ${EVENT_BUS_APPLICATION_NAME}
        and query = ${`listen "${channel}"`}`;
    return rows.map((row) => String(row.pid));
  },
  async killListeners(channel) {
    for (const pid of await this.listeners(channel))
      await pg().admin`select pg_terminate_backend(${Number(pid)})`;
  },
  async connections() {
    // The file's database is its own: every bus connection on it belongs to this file's buses.
    const [row] = await pg().admin<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity
      where datname = current_database() and application_name = ${EVENT_BUS_APPLICATION_NAME}`;
    return row?.count ?? 0;
  },
  unreachableUrl: "postgres://postgres@127.0.0.1:1/postgres",
};

const redisUrl = inject("redisUrl");
let redis: Redis | undefined;
const raw = () => {
  if (!redis) throw new Error("the Redis adapter's setUp has not run");
  return redis;
};
/** The ids of the connections with these names in `CLIENT LIST` (`<channel>:sub`, `<channel>:pub`). */
async function redisClients(names: string[]): Promise<string[]> {
  const list = String(await raw().call("CLIENT", "LIST"));
  return list
    .split("\n")
    .map((line) => Object.fromEntries(line.split(" ").map((pair) => pair.split("=", 2))))
    .filter((client) => names.includes(client.name))
    .map((client) => String(client.id));
}

const redisAdapter: Adapter = {
  name: "Redis pub/sub",
  available: redisUrl !== null,
  async setUp() {
    redis = new Redis(redisUrl ?? "");
  },
  async tearDown() {
    await redis?.quit();
  },
  open: (channel, options, url) => createRedisEventBus({ ...options, url: url ?? redisUrl ?? "", channel }),
  async sendRaw(channel, text) {
    await raw().publish(channel, text);
  },
  listeners: (channel) => redisClients([`${channel}:sub`]),
  async killListeners(channel) {
    for (const id of await this.listeners(channel)) await raw().call("CLIENT", "KILL", "ID", id);
  },
  async connections(channel) {
    return (await redisClients([`${channel}:sub`, `${channel}:pub`])).length;
  },
  unreachableUrl: "redis://127.0.0.1:1",
};

let seq = 0;
const booked = (): AppointmentEvent => ({
  v: 1,
  appointmentId: `appointment-${++seq}`,
  doctorId: randomUUID(),
  patientId: randomUUID(),
  actorId: randomUUID(),
});

/** Resolves with the first `appointment.booked` event the bus delivers that `matches`. */
function heardOn(bus: SharedEventBus, matches: (event: AppointmentEvent) => boolean) {
  return new Promise<AppointmentEvent>((resolve) => {
    const stop = bus.subscribe("appointment.booked", (event) => {
      if (!matches(event)) return;
      stop();
      resolve(event);
    });
  });
}

for (const adapter of [postgresAdapter, redisAdapter]) {
  describe.skipIf(!adapter.available)(`the shared event bus over ${adapter.name}`, () => {
    const opened: SharedEventBus[] = [];
    const open = async (channel: string, logger = pino({ level: "silent" })) => {
      const bus = await adapter.open(channel, { logger });
      opened.push(bus);
      return bus;
    };
    beforeAll(() => adapter.setUp());
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });
    afterAll(() => adapter.tearDown());

    test("an event published on one instance reaches the subscribers of both, each once", async () => {
      const channel = freshChannel();
      const [a, b] = [await open(channel), await open(channel)];
      if (!a || !b) throw new Error("two buses expected");
      const onA: string[] = [];
      a.subscribe("appointment.booked", (event) => onA.push(event.appointmentId));
      const onB: string[] = [];
      const streaming = new AbortController();
      const streamed = (async () => {
        for await (const event of b.stream("appointment.booked", streaming.signal)) {
          onB.push(event.appointmentId);
          if (onB.length === 2) return;
        }
      })();

      const first = booked();
      const firstOnB = heardOn(b, (event) => event.appointmentId === first.appointmentId);
      a.publish("appointment.booked", first);
      // The publisher's own subscribers hear it at once, as on the in-process bus.
      expect(onA).toEqual([first.appointmentId]);
      await firstOnB;
      // B answers after A's event went out: on A's connection it arrives after A's own echo.
      const second = booked();
      const secondOnA = heardOn(a, (event) => event.appointmentId === second.appointmentId);
      b.publish("appointment.booked", second);
      await secondOnA;
      await streamed;
      expect(onA).toEqual([first.appointmentId, second.appointmentId]);
      expect(onB).toEqual([first.appointmentId, second.appointmentId]);
      streaming.abort();
    });

    test("messages that are not events are dropped with a warning, and later events still arrive", async () => {
      const channel = freshChannel();
      const { logger, lines } = capturedLogger();
      const a = await open(channel);
      const b = await open(channel, logger);
      const revoked: DomainEvents["session.revoked"][] = [];
      b.subscribe("session.revoked", (event) => revoked.push(event));
      const from = randomUUID();
      for (const text of [
        "not json",
        "[1,2]",
        JSON.stringify({ from, name: "no.such_event", event: { v: 1 } }),
        JSON.stringify({ from, name: "session.revoked", event: { v: 1, userId: "u", sessionIds: "s" } }),
        JSON.stringify({ from, name: "session.revoked", event: { v: 2, userId: "u", sessionIds: [] } }),
        JSON.stringify({
          name: "session.revoked",
          event: { v: 1, userId: "u", sessionIds: [], reason: "LOGOUT" },
        }),
      ])
        await adapter.sendRaw(channel, text);

      const event = booked();
      const arrived = heardOn(b, (heard) => heard.appointmentId === event.appointmentId);
      a.publish("appointment.booked", event);
      await arrived;
      expect(revoked).toEqual([]);
      // One warning stands for a burst (another application could flood the channel).
      expect(lines.filter((line) => line.level === 40)).toEqual([
        expect.objectContaining({ msg: "event bus: dropped a message from the channel", reason: "not JSON" }),
      ]);
    });

    test("an event too large to share reaches the publisher's subscribers only, with an error logged", async () => {
      const channel = freshChannel();
      const { logger, lines } = capturedLogger();
      const a = await open(channel, logger);
      const b = await open(channel);
      const large: DomainEvents["session.revoked"] = {
        v: 1,
        userId: randomUUID(),
        sessionIds: Array.from({ length: 300 }, () => randomUUID()),
        reason: "LOGOUT_ALL",
      };
      const onA: string[] = [];
      const onB: string[] = [];
      a.subscribe("session.revoked", (event) => onA.push(event.userId));
      b.subscribe("session.revoked", (event) => onB.push(event.userId));

      a.publish("session.revoked", large);
      const small = { ...large, sessionIds: [randomUUID()], userId: randomUUID() };
      const smallOnB = new Promise<void>((resolve) =>
        b.subscribe("session.revoked", (event) => event.userId === small.userId && resolve()),
      );
      a.publish("session.revoked", small);
      await smallOnB;
      expect(onA).toEqual([large.userId, small.userId]);
      expect(onB).toEqual([small.userId]);
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 50, event: "session.revoked", bytes: expect.any(Number) }),
      );
    });

    test("after its listening connections are cut, the bus listens again and later events arrive", async () => {
      const channel = freshChannel();
      const a = await open(channel);
      const b = await open(channel);
      const before = await adapter.listeners(channel);
      expect(before).toHaveLength(2);
      await adapter.killListeners(channel);
      // Both come back on new connections.
      await expect
        .poll(async () => (await adapter.listeners(channel)).filter((id) => !before.includes(id)), {
          timeout: 15_000,
          interval: 50,
        })
        .toHaveLength(2);
      // Listening again follows connecting: publish until one arrives, then once more each way.
      const heard: string[] = [];
      b.subscribe("appointment.booked", (event) => heard.push(event.appointmentId));
      await expect
        .poll(
          () => {
            a.publish("appointment.booked", booked());
            return heard.length;
          },
          { timeout: 15_000, interval: 100 },
        )
        .toBeGreaterThan(0);
      const toA = booked();
      const arrived = heardOn(a, (event) => event.appointmentId === toA.appointmentId);
      b.publish("appointment.booked", toA);
      await arrived;
    });

    test("closing releases every connection; later publishes reach this process only", async () => {
      const channel = freshChannel();
      const a = await open(channel);
      const b = await open(channel);
      // Each way once, so every connection has been used (postgres.js connects on first use).
      for (const [from, to] of [
        [a, b],
        [b, a],
      ] as const) {
        const event = booked();
        const arrived = heardOn(to, (heard) => heard.appointmentId === event.appointmentId);
        from.publish("appointment.booked", event);
        await arrived;
      }
      expect(await adapter.connections(channel)).toBe(4);
      await b.close();
      await a.close();
      await expect.poll(() => adapter.connections(channel), { timeout: 5_000, interval: 50 }).toBe(0);
      const heard: string[] = [];
      a.subscribe("appointment.booked", (event) => heard.push(event.appointmentId));
      const event = booked();
      a.publish("appointment.booked", event);
      expect(heard).toEqual([event.appointmentId]);
    });

    test("refuses to start where nothing answers, instead of running deaf to other instances", async () => {
      const opening = adapter.open(
        freshChannel(),
        { logger: pino({ level: "silent" }) },
        adapter.unreachableUrl,
      );
      await expect(opening).rejects.toThrow(/^event bus: cannot (subscribe|LISTEN)/);
    });
  });
}
