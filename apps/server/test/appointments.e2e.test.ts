import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addDays, appRouter, localDateIn } from "@medical/api";
import {
  doctorWithHours,
  makePatient,
  makeUser,
  TEST_ENCRYPTION_KEY,
  TEST_JWT_SECRET,
} from "@medical/api/testing";
import { createDb } from "@medical/db";
import { appointments, type User } from "@medical/db/schema";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { type RestAnswer, restClient } from "./support/rest.ts";
import { type ServerProcess, startServerProcess } from "./support/server-process.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());

const { rest: api, tokenOf: tokenOfEmail } = restClient(() => server.url);
const tokenOf = (user: User) => tokenOfEmail(user.email);
const codeOf = (answer: RestAnswer): string | undefined => answer.body.error?.code;
const today = () => localDateIn("Africa/Algiers", new Date());

async function patientToken() {
  const { patient, user } = await makePatient(server.handle.db);
  return { patientId: patient.id, token: await tokenOf(user) };
}

describe("slots over REST", () => {
  test("a doctor's slots by local date, public; bad ranges are 400 naming the field, an unknown doctor 404", async () => {
    const { doctor, at } = await doctorWithHours(server.deps);
    const from = addDays(today(), 1);
    const to = addDays(today(), 2);
    const answer = await api(`/doctors/${doctor.id}/availability/slots?from=${from}&to=${to}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      timezone: "Africa/Algiers",
      days: [{ date: from }, { date: to }],
    });
    const days = answer.body.data?.days;
    expect(Array.isArray(days) && days[0]?.slots[0]).toEqual({
      start: at(1, "09:00").toISOString(),
      end: at(1, "09:30").toISOString(),
      localStart: "09:00",
    });
    expect(answer.headers.get("x-operation-id")).toBe("availability-slots");

    for (const query of [
      `from=${from}&to=${addDays(from, 62)}`,
      `from=${to}&to=${from}`,
      `from=2026-02-30&to=2026-03-01`,
      `from=${from}`,
      `from=tomorrow&to=${to}`,
      `from=${from}&to=${to}&limit=5`,
    ]) {
      const refused = await api(`/doctors/${doctor.id}/availability/slots?${query}`);
      expect({ query, status: refused.status, code: codeOf(refused) }).toEqual({
        query,
        status: 400,
        code: "VALIDATION_FAILED",
      });
      expect(refused.body.error?.issues?.length).toBeGreaterThan(0);
    }
    const unknown = await api(`/doctors/${crypto.randomUUID()}/availability/slots?from=${from}&to=${to}`);
    expect([unknown.status, codeOf(unknown)]).toEqual([404, "NOT_FOUND"]);
    expect((await api(`/doctors/not-a-uuid/availability/slots?from=${from}&to=${to}`)).status).toBe(400);
  });
});

describe("booking over REST", () => {
  test("201 with the appointment; an Idempotency-Key retry answers the same 201 and body, marked replayed", async () => {
    const fixture = await doctorWithHours(server.deps);
    const { token, patientId } = await patientToken();
    const key = crypto.randomUUID();
    const json = { doctorId: fixture.doctor.id, startsAt: fixture.iso(2, "09:30"), reason: "Fièvre" };
    const first = await api("/appointments", { token, json, headers: { "idempotency-key": key } });
    expect(first).toMatchObject({
      status: 201,
      body: {
        success: true,
        message: "Appointment booked",
        data: {
          doctor: { id: fixture.doctor.id },
          patient: { id: patientId },
          startsAt: fixture.at(2, "09:30").toISOString(),
          endsAt: fixture.at(2, "10:00").toISOString(),
          timezone: "Africa/Algiers",
          status: "SCHEDULED",
          reason: "Fièvre",
          cancellation: null,
        },
      },
    });
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await api("/appointments", { token, json, headers: { "idempotency-key": key } });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const rows = await server.handle.db
      .select()
      .from(appointments)
      .where(eq(appointments.patientId, patientId));
    expect(rows).toHaveLength(1);

    const mismatch = await api("/appointments", {
      token,
      json: { ...json, reason: "Autre" },
      headers: { "idempotency-key": key },
    });
    expect([mismatch.status, codeOf(mismatch)]).toEqual([422, "IDEMPOTENCY_MISMATCH"]);
    const badKey = await api("/appointments", { token, json, headers: { "idempotency-key": "é" } });
    expect([badKey.status, codeOf(badKey)]).toEqual([400, "VALIDATION_FAILED"]);
    expect(badKey.body.error?.issues).toEqual([{ path: ["Idempotency-Key"], message: expect.any(String) }]);

    // A stored refusal is replayed with its status: 409 SLOT_TAKEN twice for another patient.
    const other = await patientToken();
    const otherKey = crypto.randomUUID();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const taken = await api("/appointments", {
        token: other.token,
        json,
        headers: { "idempotency-key": otherKey },
      });
      expect([taken.status, codeOf(taken)]).toEqual([409, "SLOT_TAKEN"]);
    }
  });

  test("every refusal is a 4xx with its code, never a 500", async () => {
    const fixture = await doctorWithHours(server.deps, { bookingHorizonDays: 30 });
    const { token } = await patientToken();
    const staffToken = await tokenOf(await makeUser(server.handle.db, { role: "STAFF" }));
    const doctorToken = await tokenOf(fixture.user);
    const noProfile = await tokenOf(await makeUser(server.handle.db, { role: "PATIENT" }));
    const book = (startsAt: string, extra: Record<string, unknown> = {}, who = token) =>
      api("/appointments", { token: who, json: { doctorId: fixture.doctor.id, startsAt, ...extra } });
    const cases: [string, Promise<RestAnswer>, number, string][] = [
      ["not a slot start", book(fixture.iso(3, "09:10")), 409, "OUTSIDE_AVAILABILITY"],
      ["past", book(fixture.iso(-1, "09:00")), 409, "OUTSIDE_BOOKING_WINDOW"],
      ["beyond the horizon", book(fixture.iso(40, "09:00")), 409, "OUTSIDE_BOOKING_WINDOW"],
      ["no offset", book("2030-01-01T09:00:00"), 400, "VALIDATION_FAILED"],
      ["unknown key", book(fixture.iso(3, "09:00"), { status: "COMPLETED" }), 400, "VALIDATION_FAILED"],
      [
        "unknown doctor",
        api("/appointments", {
          token,
          json: { doctorId: crypto.randomUUID(), startsAt: fixture.iso(3, "09:00") },
        }),
        404,
        "NOT_FOUND",
      ],
      ["a doctor", book(fixture.iso(3, "09:00"), {}, doctorToken), 403, "FORBIDDEN"],
      ["STAFF without patientId", book(fixture.iso(3, "09:00"), {}, staffToken), 400, "VALIDATION_FAILED"],
      ["no profile", book(fixture.iso(3, "09:00"), {}, noProfile), 409, "PROFILE_REQUIRED"],
      [
        "anonymous",
        api("/appointments", { json: { doctorId: fixture.doctor.id, startsAt: fixture.iso(3, "09:00") } }),
        401,
        "UNAUTHENTICATED",
      ],
    ];
    for (const [name, answer, status, code] of cases) {
      const got = await answer;
      expect({ name, status: got.status, code: codeOf(got) }).toEqual({ name, status, code });
    }
    const malformed = await fetch(`${server.url}/api/v1/appointments`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json; charset=utf-8" },
      body: "{",
    });
    expect(malformed.status).toBe(400);
  });

  test("detail with history, rescheduling by PATCH and POST, INVALID_TRANSITION; others get 404", async () => {
    const fixture = await doctorWithHours(server.deps);
    const { token } = await patientToken();
    const other = await patientToken();
    const booked = await api("/appointments", {
      token,
      json: { doctorId: fixture.doctor.id, startsAt: fixture.iso(2, "10:00") },
    });
    const id = String(booked.body.data?.id);
    const patched = await api(`/appointments/${id}/reschedule`, {
      method: "PATCH",
      token,
      json: { startsAt: fixture.iso(3, "10:00") },
    });
    expect(patched).toMatchObject({
      status: 200,
      body: {
        message: "Appointment rescheduled",
        data: { id, startsAt: fixture.at(3, "10:00").toISOString() },
      },
    });
    const posted = await api(`/appointments/${id}/reschedule`, {
      token: await tokenOf(fixture.user),
      json: { startsAt: fixture.iso(4, "10:00") },
    });
    expect([posted.status, posted.headers.get("x-operation-id")]).toEqual([
      200,
      "appointments-rescheduleByPost",
    ]);
    const detail = await api(`/appointments/${id}`, { token });
    expect(detail.status).toBe(200);
    expect(detail.body.data?.history).toEqual([
      expect.objectContaining({
        startsAt: fixture.at(2, "10:00").toISOString(),
        changedBy: expect.objectContaining({ role: "PATIENT" }),
      }),
      expect.objectContaining({
        startsAt: fixture.at(3, "10:00").toISOString(),
        changedBy: expect.objectContaining({ role: "DOCTOR" }),
      }),
    ]);
    for (const [path, init] of [
      [`/appointments/${id}`, { token: other.token }],
      [
        `/appointments/${id}/reschedule`,
        { method: "PATCH", token: other.token, json: { startsAt: fixture.iso(5, "10:00") } },
      ],
      [`/appointments/${crypto.randomUUID()}`, { token }],
    ] as const) {
      const refused = await api(path, init);
      expect([refused.status, codeOf(refused)]).toEqual([404, "NOT_FOUND"]);
    }
    expect((await api(`/appointments/${id}`)).status).toBe(401);
    await server.handle.db.update(appointments).set({ status: "COMPLETED" }).where(eq(appointments.id, id));
    const completed = await api(`/appointments/${id}/reschedule`, {
      method: "PATCH",
      token,
      json: { startsAt: fixture.iso(5, "10:00") },
    });
    expect([completed.status, codeOf(completed)]).toEqual([409, "INVALID_TRANSITION"]);
  });
});

/** Under `pnpm test:pg`: two server processes on one PostgreSQL database. */
const onPostgres = inject("testDatabase").kind === "postgres";

describe.skipIf(!onPostgres)("two server processes on one PostgreSQL database", () => {
  let database: TestDatabase;
  let servers: ServerProcess[] = [];
  let dataDir: string;
  beforeAll(async () => {
    database = await openFileDatabase();
    dataDir = mkdtempSync(join(tmpdir(), "medical-booking-"));
    const env = {
      DATABASE_URL: database.url ?? "",
      DATA_DIR: dataDir,
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEYS: `${TEST_ENCRYPTION_KEY.id}:${TEST_ENCRYPTION_KEY.key.toString("base64")}`,
      RATE_LIMIT_LOGIN: "1000/15m,1000/15m,1000/15m",
    };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 60_000);
  afterAll(async () => {
    for (const running of servers) if (running.child.exitCode === null) running.child.kill("SIGKILL");
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("50 patients booking one slot through both at once: exactly one 201, 49 × 409 SLOT_TAKEN", async () => {
    const handle = await createDb({ url: database.url ?? "", maxConnections: 2 });
    try {
      const deps = { ...server.deps, db: handle.db };
      const fixture = await doctorWithHours(deps);
      const patients = [];
      for (let i = 0; i < 50; i += 1) patients.push((await makePatient(handle.db)).user);
      // Each patient signs in and books on one of the two processes, half on each.
      const [one, two] = servers.map((running) => restClient(() => running.url));
      if (!one || !two) throw new Error("two server processes expected");
      const clientOf = (i: number) => (i % 2 === 0 ? one : two);
      const tokens: string[] = [];
      for (const [i, user] of patients.entries()) tokens.push(await clientOf(i).tokenOf(user.email));
      const startsAt = fixture.iso(2, "11:00");
      const answers = await Promise.all(
        tokens.map((token, i) =>
          clientOf(i).rest("/appointments", { token, json: { doctorId: fixture.doctor.id, startsAt } }),
        ),
      );
      const statuses = answers.map((answer) => `${answer.status} ${codeOf(answer) ?? ""}`.trim());
      expect(statuses.filter((s) => s === "201")).toHaveLength(1);
      expect(statuses.filter((s) => s === "409 SLOT_TAKEN")).toHaveLength(49);
      const rows = await handle.db
        .select()
        .from(appointments)
        .where(eq(appointments.doctorId, fixture.doctor.id));
      expect(rows).toHaveLength(1);
    } finally {
      await handle.close();
    }
  }, 120_000);
});
