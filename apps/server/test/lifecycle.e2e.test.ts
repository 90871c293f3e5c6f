import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import WebSocket from "ws";
import { CLOSE_SERVICE_RESTART } from "../src/ws.ts";
import { restClient } from "./support/rest.ts";
import { collectExit, runEntry, type ServerProcess, startServerProcess } from "./support/server-process.ts";

/** Under `pnpm test:pg` the server process gets this file's PostgreSQL database. */
const onPostgres = inject("testDatabase").kind === "postgres";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "medical-lifecycle-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A server process of its own, so no test depends on another having left it running: PGlite in a
 * fresh DATA_DIR (a first boot: initdb and every migration), or in one holding a copy of the run's
 * migrated template (`migrated`: ~1 s instead of 5–10 s, for tests about something else), or
 * (under `pnpm test:pg`) a PostgreSQL database of its own.
 */
async function startOwnServer(
  start: "fresh" | "migrated",
): Promise<{ server: ServerProcess; dataDir: string }> {
  const dataDir = tempDataDir();
  let env: Record<string, string> = { DATA_DIR: dataDir };
  if (onPostgres || start === "migrated") {
    const database = await processDatabase(dataDir);
    cleanups.push(() => database.drop());
    env = { ...database.env };
  }
  const server = await startServerProcess(env);
  cleanups.push(() => {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
  });
  return { server, dataDir };
}

describe("a server process", () => {
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    ({ server, dataDir } = await startOwnServer("fresh"));
  });

  test("answers health in the envelope on the database it was given", async () => {
    const response = await fetch(`${server.url}/api/v1/health`);
    expect(await response.json()).toMatchObject({
      success: true,
      data: { database: "up", databaseKind: onPostgres ? "postgres" : "pglite" },
    });
  });

  test("seals the audit trail in the background and logs each anchor", async () => {
    // A refused login is audited: the sealer chains it within a second or so.
    await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "nobody@example.dz", password: "not-the-password" }),
    });
    // PostgreSQL's horizon is cluster-wide: other test files' transactions may delay it a little.
    await expect
      .poll(() => server.stdout.find((line) => line.includes('"msg":"audit chain sealed"')), {
        timeout: 15_000,
        interval: 100,
      })
      .toMatch(/"auditAnchor":\{"id":\d+,"eventCount":\d+,"headEventId":\d+,"headHash":"[0-9a-f]{64}"/);
  });

  test("derives notifications in the background, from the outbox, for what the requests did", async () => {
    const { rest } = restClient(() => server.url);
    const password = "un mot de passe sûr";
    const registered = await rest("/auth/register", {
      json: { email: `notified.${Date.now()}@example.dz`, password, firstName: "Nadia", lastName: "Kaci" },
    });
    const token = String(registered.body.data.accessToken);
    await rest("/users/me/password", {
      token,
      json: { currentPassword: password, newPassword: "une autre phrase secrète" },
    });
    // The consumer runs in the server process: awaited through the API, never assumed after a delay.
    await expect
      .poll(
        async () =>
          (await rest("/notifications", { token })).body.data.items.map(
            (item: { title: string }) => item.title,
          ),
        { timeout: 15_000, interval: 100 },
      )
      .toEqual(["Mot de passe modifié"]);
  });

  // PostgreSQL is shared by design; the folder lock guards embedded PGlite only.
  test.skipIf(onPostgres)(
    "keeps a second process off its embedded PGlite database with a clear message (PGlite only)",
    async () => {
      const { code, stderr } = await collectExit(runEntry("src/migrate.ts", { DATA_DIR: dataDir }));
      expect(code).toBe(1);
      expect(stderr).toMatch(/in use by process \d+/);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );
});

describe("SIGTERM", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    ({ server } = await startOwnServer("migrated"));
  });

  test("finishes the request in flight, closes sockets with 1012 and exits 0", async () => {
    const socket = new WebSocket(`${server.url.replace("http", "ws")}/trpc`);
    await once(socket, "open");
    const socketClosed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));

    // A request whose body is still arriving when the signal comes.
    const { port, hostname } = new URL(server.url);
    const raw = connect(Number(port), hostname);
    await once(raw, "connect");
    let answer = "";
    raw.on("data", (chunk: Buffer) => {
      answer += chunk.toString();
    });
    const body = JSON.stringify({ flag: true, pad: "x".repeat(64) });
    raw.write(
      `POST /api/v1/health HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    // Any answer on another connection shows the server has read what was sent before it.
    await fetch(`${server.url}/api/v1/health`);

    server.child.kill("SIGTERM");
    expect(await socketClosed).toBe(CLOSE_SERVICE_RESTART);
    raw.end(body.slice(10));
    await once(raw, "close");
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toContain('"success":false');

    expect(await server.exited).toBe(0);
    expect(server.stdout.join("\n")).toContain('"msg":"stopped"');
  });
});

describe("configuration", () => {
  test("production refuses to start without secrets and names each missing setting", async () => {
    const { code, stderr } = await collectExit(
      runEntry("src/main.ts", { NODE_ENV: "production", DATA_DIR: tempDataDir() }),
    );
    expect(code).toBe(1);
    for (const name of ["JWT_SECRET", "ENCRYPTION_KEYS", "MAIL_TRANSPORT"]) expect(stderr).toContain(name);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
