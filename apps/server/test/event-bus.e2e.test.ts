import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type appRouter, EVENT_BUS_APPLICATION_NAME } from "@medical/api";
import { makeUser, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, TEST_PASSWORD } from "@medical/api/testing";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { createTRPCClient, createWSClient, type TRPCClientError, wsLink } from "@trpc/client";
import { Redis } from "ioredis";
import postgres from "postgres";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import WebSocket from "ws";
import { NOTIFICATION_SOCKET_PATH } from "../src/notification-socket.ts";
import { CLOSE_SESSION_ENDED } from "../src/session-guard.ts";
import { sseClient } from "./support/notifications.ts";
import { restClient } from "./support/rest.ts";
import { type ServerProcess, startServerProcess } from "./support/server-process.ts";
import { clientWebSocket } from "./support/test-server.ts";

/** Under `pnpm test:pg`: two server processes on one PostgreSQL database, as in production. */
const onPostgres = inject("testDatabase").kind === "postgres";
const redisUrl = inject("redisUrl");

let database: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  if (!onPostgres) return;
  database = await openFileDatabase();
  dataDir = mkdtempSync(join(tmpdir(), "medical-event-bus-"));
});
afterAll(async () => {
  await database?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Connections the servers' buses hold: backends named after the bus, or Redis clients named after the channel. */
async function postgresBusConnections(): Promise<number> {
  const sql = postgres(database.url ?? "", { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity
      where datname = current_database() and application_name = ${EVENT_BUS_APPLICATION_NAME}`;
    return row?.count ?? 0;
  } finally {
    await sql.end();
  }
}

// A channel of this file's own: parallel files and runs on one Redis never cross.
const channel = `e2e_${randomBytes(6).toString("hex")}`;

async function redisBusConnections(): Promise<number> {
  const redis = new Redis(redisUrl ?? "");
  try {
    const clients = String(await redis.call("CLIENT", "LIST"));
    return clients.split("\n").filter((line) => line.includes(` name=${channel}:`)).length;
  } finally {
    await redis.quit();
  }
}

/** `notifications.onEvent` from now on, on the server at `url`, as the account `email`. */
async function listenOn(url: string, email: string) {
  const { tokenOf } = restClient(() => url);
  const token = await tokenOf(email);
  const socket = createWSClient({
    url: `${url.replace("http", "ws")}/trpc`,
    WebSocket: clientWebSocket,
    connectionParams: () => ({ token }),
    retryDelayMs: () => 60_000,
  });
  const client = createTRPCClient<typeof appRouter>({
    links: [wsLink({ client: socket, transformer: superjson })],
  });
  const titles: string[] = [];
  const waiters: (() => void)[] = [];
  await new Promise<void>((started, failed) => {
    client.notifications.onEvent.subscribe(undefined, {
      onStarted: () => started(),
      onData: ({ data }) => {
        titles.push(data.title);
        for (const wake of waiters.splice(0)) wake();
      },
      onError: failed,
    });
  });
  return {
    /** How many notifications titled `title` had arrived when the first one did. */
    async first(title: string) {
      while (!titles.includes(title)) await new Promise<void>((resolve) => waiters.push(resolve));
      return titles.filter((seen) => seen === title).length;
    },
    close: () => socket.close(),
  };
}

const variants = [
  { bus: "postgres", available: onPostgres, env: {}, connections: postgresBusConnections },
  {
    bus: "redis",
    available: onPostgres && redisUrl !== null,
    env: { REDIS_URL: redisUrl ?? "", EVENT_BUS_CHANNEL: channel },
    connections: redisBusConnections,
  },
] as const;

for (const variant of variants) {
  describe.skipIf(!variant.available)(`two server processes sharing events through ${variant.bus}`, () => {
    let servers: ServerProcess[] = [];
    beforeAll(async () => {
      const env = {
        DATABASE_URL: database.url ?? "",
        DATA_DIR: dataDir,
        JWT_SECRET: TEST_JWT_SECRET,
        ENCRYPTION_KEYS: `${TEST_ENCRYPTION_KEY.id}:${TEST_ENCRYPTION_KEY.key.toString("base64")}`,
        ...variant.env,
      };
      servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    }, 60_000);
    afterAll(() => {
      for (const running of servers) if (running.child.exitCode === null) running.child.kill("SIGKILL");
    });

    /** The two processes, and a new account signed in on A: its session's tokens. */
    const signedInOnA = async () => {
      const [a, b] = servers;
      if (!a || !b) throw new Error("two server processes expected");
      const user = await makeUser(database.db);
      const onA = restClient(() => a.url);
      const login = await onA.rest("/auth/login", { json: { email: user.email, password: TEST_PASSWORD } });
      return { a, b, onA, session: login.body.data };
    };

    test("a logout on A closes the user's socket on B with 4401, after telling it why", async () => {
      for (const running of servers)
        expect(running.stdout.join("\n")).toContain(`"eventBus":"${variant.bus}"`);
      const { b, onA, session } = await signedInOnA();

      let closedWith: (code: number) => void = () => {};
      const closed = new Promise<number>((resolve) => {
        closedWith = resolve;
      });
      const socket = createWSClient({
        url: `${b.url.replace("http", "ws")}/trpc`,
        WebSocket: clientWebSocket,
        connectionParams: () => ({ token: session.accessToken }),
        onClose: (cause) => closedWith(cause?.code ?? 0),
        retryDelayMs: () => 60_000,
      });
      const client = createTRPCClient<typeof appRouter>({
        links: [wsLink({ client: socket, transformer: superjson })],
      });
      try {
        let started: () => void = () => {};
        const subscribed = new Promise<void>((resolve) => {
          started = resolve;
        });
        const told = new Promise<{ type: string; reason: string | null }>((resolve, reject) => {
          client.auth.onSessionEvent.subscribe(undefined, {
            onData: resolve,
            onError: reject,
            onStarted: started,
          });
        });
        // B's session guard holds the socket once the subscription has started.
        await subscribed;
        const logout = await onA.rest("/auth/logout", { json: { refreshToken: session.refreshToken } });
        expect(logout.status).toBe(200);
        expect(await told).toMatchObject({ type: "SESSION_REVOKED", reason: "LOGOUT" });
        expect(await closed).toBe(CLOSE_SESSION_ENDED);
      } finally {
        await socket.close();
      }
    });

    test("a ticket from A opens one plain socket, on B only once; a logout on A closes it with 4401", async () => {
      const { a, b, onA, session } = await signedInOnA();
      const issued = await onA.rest("/realtime/ticket", { token: session.accessToken, method: "POST" });
      const socketOn = (url: string) =>
        new WebSocket(
          `${url.replace("http", "ws")}${NOTIFICATION_SOCKET_PATH}?ticket=${issued.body.data.ticket}`,
        );
      const upgrade = (socket: WebSocket) =>
        new Promise<"open" | number>((resolve, reject) => {
          socket.once("open", () => resolve("open"));
          socket.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
          socket.once("error", reject);
        });

      const socket = socketOn(b.url);
      const closed = once(socket, "close");
      try {
        expect(await upgrade(socket)).toBe("open");
        for (const url of [a.url, b.url]) expect(await upgrade(socketOn(url))).toBe(401);
        const logout = await onA.rest("/auth/logout", { json: { refreshToken: session.refreshToken } });
        expect(logout.status).toBe(200);
        const [code] = await closed;
        expect(code).toBe(CLOSE_SESSION_ENDED);
      } finally {
        socket.terminate();
      }
    });

    test("a logout on A ends the user's SSE stream on B with UNAUTHORIZED", async () => {
      const { b, onA, session } = await signedInOnA();
      const client = sseClient(b.url, session.accessToken);
      let started: () => void = () => {};
      const subscribed = new Promise<void>((resolve) => {
        started = resolve;
      });
      const ended = new Promise<string | undefined>((resolve) => {
        client.notifications.onEvent.subscribe(undefined, {
          onStarted: started,
          onError: (error: TRPCClientError<typeof appRouter>) => resolve(error.data?.code),
        });
      });
      await subscribed;
      const logout = await onA.rest("/auth/logout", { json: { refreshToken: session.refreshToken } });
      expect(logout.status).toBe(200);
      expect(await ended).toBe("UNAUTHORIZED");
    });

    test("an announcement reaches the recipient's subscriptions on both instances, whichever derived it", async () => {
      const [a, b] = servers;
      if (!a || !b) throw new Error("two server processes expected");
      const recipient = await makeUser(database.db);
      const admin = await makeUser(database.db, { role: "ADMIN" });
      const onA = restClient(() => a.url);
      // One consumer runs cluster-wide: one of the two subscriptions is fed across instances.
      const listeners = await Promise.all([a, b].map((running) => listenOn(running.url, recipient.email)));
      try {
        const posted = await onA.rest("/notifications", {
          token: await onA.tokenOf(admin.email),
          json: { userId: recipient.id, title: "Fermeture exceptionnelle", body: "Le cabinet ferme à 15 h." },
        });
        expect(posted.status).toBe(202);
        for (const listener of listeners) expect(await listener.first("Fermeture exceptionnelle")).toBe(1);
      } finally {
        await Promise.all(listeners.map((listener) => listener.close()));
      }
    });

    test("SIGTERM stops both cleanly, closing the bus's connections", async () => {
      // Each listens; a publishing connection opens on first use (postgres.js) or at start (Redis).
      expect(await variant.connections()).toBeGreaterThanOrEqual(2);
      for (const running of servers) running.child.kill("SIGTERM");
      expect(await Promise.all(servers.map((running) => running.exited))).toEqual([0, 0]);
      // The server ends a backend's session before the backend itself leaves pg_stat_activity.
      await expect.poll(() => variant.connections(), { timeout: 5_000, interval: 50 }).toBe(0);
    });
  });
}
