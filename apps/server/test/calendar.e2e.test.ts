import { appRouter } from "@medical/api";
import { makeAppointment, makeDoctor, makePatient, makeUser, testSettings } from "@medical/api/testing";
import { createMedicalClient, memoryTokenStore } from "@medical/sdk";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());
const { rest, tokenOf } = restClient(() => server.url);

/** The feed's path on this server, from the address PUBLIC_URL (the tests' default) names. */
const feedPath = (url: string) => new URL(url).pathname;
const secretOf = (url: string) =>
  feedPath(url)
    .split("/")
    .at(-1)
    ?.replace(/\.ics$/, "") ?? "";

async function patientWithVisit() {
  const { doctor } = await makeDoctor(server.handle.db, { timezone: "Africa/Algiers" });
  const { patient, user } = await makePatient(server.handle.db);
  const visit = await makeAppointment(server.handle.db, {
    doctorId: doctor.id,
    patientId: patient.id,
    reason: "Suivi diabète",
    // Within the feed's window (the factory's default start is a decade away), on a whole second as
    // iCalendar writes it.
    startsAt: new Date(Math.floor(Date.now() / 86_400_000 + 5) * 86_400_000 + 9 * 3_600_000),
  });
  return { user, visit, token: await tokenOf(user.email) };
}

describe("the calendar feed over HTTP", () => {
  test("POST creates the address, GET serves text/calendar without a bearer token, DELETE revokes it", async () => {
    const { visit, token } = await patientWithVisit();
    const created = await rest("/calendar/feed", { method: "POST", token });
    expect(created).toMatchObject({
      status: 201,
      body: { success: true, message: "Calendar feed address created", data: { url: expect.any(String) } },
    });
    const url = String(created.body.data.url);
    expect(url).toMatch(/^http:\/\/localhost:3000\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);

    const feed = await fetch(`${server.url}${feedPath(url)}`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(feed.headers.get("x-operation-id")).toBe("calendar-serveFeed");
    const text = await feed.text();
    const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents("vevent");
    expect(events.map((event) => event.getFirstPropertyValue("uid"))).toEqual([
      `${visit.id}@medical-backend`,
    ]);
    expect(events[0]?.getFirstProperty("dtstart")?.getParameter("tzid")).toBe("Africa/Algiers");
    expect(text).not.toContain("diabète");
    // Calendar apps may append a query of their own: it is ignored.
    expect((await fetch(`${server.url}${feedPath(url)}?refresh=1`)).status).toBe(200);

    expect(await rest("/calendar/feed", { method: "DELETE", token })).toMatchObject({
      status: 200,
      body: { success: true, data: null, message: "Calendar feed address revoked" },
    });
    const revoked = await fetch(`${server.url}${feedPath(url)}`);
    expect(revoked.status).toBe(404);
    expect(await revoked.json()).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
  });

  test("rotating through tRPC (the SDK): the old address stops working, the new one answers", async () => {
    const { user } = await patientWithVisit();
    const client = createMedicalClient({
      url: server.url,
      WebSocket: clientWebSocket,
      tokens: memoryTokenStore({ accessToken: await tokenOf(user.email), refreshToken: "unused" }),
    });
    try {
      const first = await client.api.calendar.createFeed.mutate();
      const second = await client.api.calendar.createFeed.mutate();
      expect((await fetch(`${server.url}${feedPath(first.url)}`)).status).toBe(404);
      expect((await fetch(`${server.url}${feedPath(second.url)}`)).status).toBe(200);
      await client.api.calendar.revokeFeed.mutate();
      expect((await fetch(`${server.url}${feedPath(second.url)}`)).status).toBe(404);
    } finally {
      client.close();
    }
  });

  test("no bearer token, no address: 401; STAFF and ADMIN: 403; an unknown token: 404", async () => {
    expect((await rest("/calendar/feed", { method: "POST" })).status).toBe(401);
    for (const role of ["STAFF", "ADMIN"] as const) {
      const token = await tokenOf((await makeUser(server.handle.db, { role })).email);
      expect(await rest("/calendar/feed", { method: "POST", token })).toMatchObject({
        status: 403,
        body: { error: { code: "FORBIDDEN" } },
      });
    }
    const unknown = await fetch(`${server.url}/api/v1/calendar/${"Q".repeat(43)}.ics`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  test("the secret address never reaches the log, whatever its spelling", async () => {
    const { token } = await patientWithVisit();
    const { url } = (await rest("/calendar/feed", { method: "POST", token })).body.data;
    const secret = secretOf(url);
    const before = server.logs.lines.length;
    await fetch(`${server.url}${feedPath(url)}`);
    await fetch(`${server.url}${feedPath(url).toUpperCase()}`);
    await fetch(`${server.url}/api/v1/calendar/${secret.slice(0, 20)}.ics`);
    await rest("/calendar/feed", { method: "DELETE", token });
    await fetch(`${server.url}${feedPath(url)}`);
    // The access log writes at `finish`, after the answer: wait for the five requests' lines.
    const calendarLines = () =>
      server.logs.lines.slice(before).filter((line) => /"url":"\/api\/v1\/calendar\//i.test(line)).length;
    await expect.poll(calendarLines, { interval: 10 }).toBeGreaterThanOrEqual(5);
    const logged = server.logs.text;
    expect(logged).toContain("/api/v1/calendar/[redacted]");
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain(secret.toUpperCase());
    expect(logged).not.toContain(secret.slice(0, 20));
  });

  test("rate-limited per feed with 429 and Retry-After", async () => {
    const tight = await startTestServer({
      router: appRouter,
      handle: server.handle,
      deps: {
        settings: {
          rateLimits: { ...testSettings.rateLimits, calendarFeed: [{ points: 2, durationMs: 60_000 }] },
        },
      },
    });
    try {
      const { token } = await patientWithVisit();
      const { url } = (await rest("/calendar/feed", { method: "POST", token })).body.data;
      const get = () => fetch(`${tight.url}${feedPath(url)}`);
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      const limited = await get();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await limited.json()).toMatchObject({
        success: false,
        data: { retryAfterSeconds: expect.any(Number) },
        error: { code: "RATE_LIMITED" },
      });
    } finally {
      await tight.shutdown();
    }
  });
});
