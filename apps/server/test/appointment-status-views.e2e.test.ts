import { appRouter } from "@medical/api";
import { makeAppointment, makeDoctor, makePatient, makeUser } from "@medical/api/testing";
import type { User } from "@medical/db/schema";
import { createMedicalClient, memoryTokenStore } from "@medical/sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RestAnswer, restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

const DAY_MS = 86_400_000;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());

const { rest, tokenOf: tokenOfEmail } = restClient(() => server.url);
const tokenOf = (user: User) => tokenOfEmail(user.email);
const codeOf = (answer: RestAnswer): string | undefined => answer.body.error?.code;
const idsOf = (answer: RestAnswer): string[] => answer.body.data.items.map((item: { id: string }) => item.id);

interface World {
  patient: { id: string; token: string };
  doctor: { id: string; token: string };
  staff: string;
  otherPatient: string;
  otherDoctor: string;
  /** Next week, SCHEDULED. */
  upcoming: string;
  /** Two days ago, SCHEDULED. */
  started: string;
  /** Ten days ago, COMPLETED. */
  completed: string;
}

/** One patient's three appointments with one doctor, and every kind of caller, signed in over REST. */
async function world(): Promise<World> {
  const db = server.handle.db;
  const { doctor, user: doctorUser } = await makeDoctor(db);
  const { patient, user: patientUser } = await makePatient(db);
  const parties = { doctorId: doctor.id, patientId: patient.id, createdBy: patientUser.id };
  const at = (days: number) => new Date(Date.now() + days * DAY_MS);
  const upcoming = await makeAppointment(db, {
    ...parties,
    startsAt: at(7),
  });
  const started = await makeAppointment(db, {
    ...parties,
    startsAt: at(-2),
  });
  const completed = await makeAppointment(db, {
    ...parties,
    startsAt: at(-10),
    status: "COMPLETED",
  });
  return {
    patient: { id: patient.id, token: await tokenOf(patientUser) },
    doctor: { id: doctor.id, token: await tokenOf(doctorUser) },
    staff: await tokenOf(await makeUser(db, { role: "STAFF" })),
    otherPatient: await tokenOf((await makePatient(db)).user),
    otherDoctor: await tokenOf((await makeDoctor(db)).user),
    upcoming: upcoming.id,
    started: started.id,
    completed: completed.id,
  };
}

describe("the views over REST", () => {
  test("/appointments/me and /appointments/doctor/me are the views, not an appointment id", async () => {
    const w = await world();
    const mine = await rest("/appointments/me", { token: w.patient.token });
    expect(mine).toMatchObject({ status: 200, body: { success: true, message: null } });
    expect(idsOf(mine)).toEqual([w.completed, w.started, w.upcoming]);
    expect(mine.body.data.items[0]).not.toHaveProperty("reason");
    expect(mine.body.data.items[0]).toMatchObject({
      doctor: { id: w.doctor.id },
      patient: { id: w.patient.id },
      timezone: "Africa/Algiers",
      startsAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const doctorMine = await rest("/appointments/doctor/me?when=past", { token: w.doctor.token });
    expect(idsOf(doctorMine)).toEqual([w.started, w.completed]);
    // Each role its own view: 403, never a 404 from an {id} route.
    expect((await rest("/appointments/doctor/me", { token: w.patient.token })).status).toBe(403);
    expect((await rest("/appointments/me", { token: w.doctor.token })).status).toBe(403);
    expect((await rest("/appointments/me")).status).toBe(401);
  });

  test("filters in the query string: when, repeated status, instants, limit and cursor", async () => {
    const w = await world();
    const token = w.patient.token;
    expect(idsOf(await rest("/appointments/me?when=upcoming", { token }))).toEqual([w.upcoming]);
    expect(idsOf(await rest("/appointments/me?status=COMPLETED", { token }))).toEqual([w.completed]);
    expect(
      idsOf(await rest("/appointments/me?status=COMPLETED&status=SCHEDULED&order=desc", { token })),
    ).toEqual([w.upcoming, w.started, w.completed]);
    const from = new Date(Date.now() - 5 * DAY_MS).toISOString();
    const to = new Date(Date.now() + 5 * DAY_MS).toISOString();
    expect(idsOf(await rest(`/appointments/me?from=${from}&to=${to}`, { token }))).toEqual([w.started]);

    const first = await rest("/appointments/me?limit=2", { token });
    expect(idsOf(first)).toEqual([w.completed, w.started]);
    const cursor = encodeURIComponent(first.body.data.nextCursor);
    const second = await rest(`/appointments/me?limit=2&cursor=${cursor}`, { token });
    expect(second.body.data).toMatchObject({ nextCursor: null });
    expect(idsOf(second)).toEqual([w.upcoming]);

    for (const query of [
      "when=soon",
      "status=DONE",
      "limit=101",
      "from=yesterday",
      `from=${to}&to=${from}`,
      "doctorId=x",
      "cursor=abc",
    ]) {
      const answer = await rest(`/appointments/me?${query}`, { token });
      expect({ query, status: answer.status, code: codeOf(answer) }).toEqual({
        query,
        status: 400,
        code: "VALIDATION_FAILED",
      });
    }
  });

  test("GET /appointments: STAFF by doctor or patient; patients and doctors 403", async () => {
    const w = await world();
    const byPatient = await rest(`/appointments?patientId=${w.patient.id}&when=past`, { token: w.staff });
    expect(idsOf(byPatient)).toEqual([w.started, w.completed]);
    const byDoctor = await rest(`/appointments?doctorId=${w.doctor.id}&status=SCHEDULED`, { token: w.staff });
    expect(idsOf(byDoctor)).toEqual([w.started, w.upcoming]);
    expect((await rest("/appointments", { token: w.patient.token })).status).toBe(403);
    expect((await rest("/appointments", { token: w.doctor.token })).status).toBe(403);
  });

  test("another patient's and an unrelated doctor's views never show the world's rows", async () => {
    const w = await world();
    expect(idsOf(await rest("/appointments/me", { token: w.otherPatient }))).toEqual([]);
    expect(idsOf(await rest("/appointments/doctor/me", { token: w.otherDoctor }))).toEqual([]);
  });
});

describe("status changes over REST", () => {
  test("PATCH /appointments/{id}/status: 200 with the appointment, 403 for a patient, 409 INVALID_TRANSITION", async () => {
    const w = await world();
    const done = await rest(`/appointments/${w.started}/status`, {
      method: "PATCH",
      token: w.doctor.token,
      json: { status: "COMPLETED" },
    });
    expect(done).toMatchObject({
      status: 200,
      body: {
        success: true,
        message: "Appointment status changed",
        data: { id: w.started, status: "COMPLETED", reason: null },
      },
    });
    const again = await rest(`/appointments/${w.started}/status`, {
      method: "PATCH",
      token: w.staff,
      json: { status: "NO_SHOW" },
    });
    expect(again).toMatchObject({
      status: 409,
      body: { success: false, data: null, error: { code: "INVALID_TRANSITION" } },
    });
    const early = await rest(`/appointments/${w.upcoming}/status`, {
      method: "PATCH",
      token: w.doctor.token,
      json: { status: "NO_SHOW" },
    });
    expect(codeOf(early)).toBe("INVALID_TRANSITION");
    const byPatient = await rest(`/appointments/${w.upcoming}/status`, {
      method: "PATCH",
      token: w.patient.token,
      json: { status: "COMPLETED" },
    });
    expect({ status: byPatient.status, code: codeOf(byPatient) }).toEqual({ status: 403, code: "FORBIDDEN" });
    for (const json of [
      { status: "SCHEDULED" },
      { status: "COMPLETED", reason: "x" },
      { status: "CANCELLED", by: "me" },
    ]) {
      const bad = await rest(`/appointments/${w.upcoming}/status`, { method: "PATCH", token: w.staff, json });
      expect({ json, status: bad.status }).toEqual({ json, status: 400 });
    }
  });

  test("POST /appointments/{id}/cancel with { reason }: recorded, and the time is free again", async () => {
    const w = await world();
    const cancelled = await rest(`/appointments/${w.upcoming}/cancel`, {
      token: w.patient.token,
      json: { reason: "Empêchement professionnel" },
    });
    expect(cancelled).toMatchObject({
      status: 200,
      body: {
        message: "Appointment cancelled",
        data: {
          status: "CANCELLED",
          cancellation: { by: { role: "PATIENT" }, reason: "Empêchement professionnel" },
        },
      },
    });
    expect(cancelled.body.data.cancellation.at).toMatch(/Z$/);
    const tooLong = await rest(`/appointments/${w.started}/cancel`, {
      token: w.doctor.token,
      json: { reason: "x".repeat(501) },
    });
    expect(tooLong.status).toBe(400);
    // A patient cannot cancel a visit that has started: the doctor or the clinic can.
    expect(
      codeOf(await rest(`/appointments/${w.started}/cancel`, { token: w.patient.token, json: {} })),
    ).toBe("INVALID_TRANSITION");
    expect((await rest(`/appointments/${w.started}/cancel`, { token: w.staff, json: {} })).status).toBe(200);
  });

  test("cross-tenant: another patient, an unrelated doctor get 404; anonymous 401; STAFF may", async () => {
    const w = await world();
    const routes = [
      { path: `/appointments/${w.upcoming}/cancel`, method: "POST", json: {} },
      { path: `/appointments/${w.upcoming}/status`, method: "PATCH", json: { status: "CANCELLED" } },
    ];
    for (const { path, method, json } of routes) {
      expect((await rest(path, { method, json })).status).toBe(401);
      for (const token of [w.otherPatient, w.otherDoctor]) {
        const answer = await rest(path, { method, json, token });
        expect({ path, status: answer.status, code: codeOf(answer) }).toEqual({
          path,
          status: 404,
          code: "NOT_FOUND",
        });
      }
    }
    expect(
      (await rest(routes[1]?.path ?? "", { method: "PATCH", json: { status: "CANCELLED" }, token: w.staff }))
        .status,
    ).toBe(200);
  });
});

describe("over tRPC (the SDK)", () => {
  test("typed inputs: a Date for from, statuses as an array; the same rules as REST", async () => {
    const w = await world();
    const client = createMedicalClient({
      url: server.url,
      WebSocket: clientWebSocket,
      tokens: memoryTokenStore({ accessToken: w.patient.token, refreshToken: "unused" }),
    });
    try {
      const page = await client.api.appointments.mine.query({
        from: new Date(Date.now() - 20 * DAY_MS),
        status: ["SCHEDULED", "COMPLETED"],
        when: "past",
      });
      expect(page.items.map((item) => item.id)).toEqual([w.started, w.completed]);
      expect(page.items[0]?.startsAt).toBeInstanceOf(Date);
      const cancelled = await client.api.appointments.cancel.mutate({ id: w.upcoming, reason: "Voyage" });
      expect(cancelled.cancellation?.reason).toBe("Voyage");
      await expect(
        client.api.appointments.setStatus.mutate({ id: w.started, status: "NO_SHOW" }),
      ).rejects.toMatchObject({
        data: { appCode: "FORBIDDEN", httpStatus: 403 },
      });
    } finally {
      client.close();
    }
  });
});
