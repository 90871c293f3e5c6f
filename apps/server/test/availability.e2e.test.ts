import { addDays, appRouter, localDateIn } from "@medical/api";
import { makeDoctor, makePatient, makeUser } from "@medical/api/testing";
import { createMedicalClient, memoryTokenStore } from "@medical/sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());
const { rest, tokenOf } = restClient(() => server.url);

async function signedInDoctor(overrides: Parameters<typeof makeDoctor>[1] = {}) {
  const { doctor, user } = await makeDoctor(server.handle.db, overrides);
  return { id: doctor.id, token: await tokenOf(user.email) };
}

const tokenFor = async (role: "ADMIN" | "STAFF") =>
  tokenOf((await makeUser(server.handle.db, { role })).email);
const fromToday = (days: number) => addDays(localDateIn("Africa/Algiers", new Date()), days);
const codeOf = (answer: { body: { error?: { code: string } } }) => answer.body.error?.code;

describe("availability over REST", () => {
  test("a doctor's weekly hours: added, read by anyone, changed and removed, with the contract's statuses", async () => {
    const { id, token } = await signedInDoctor({ appointmentMinutes: 20 });
    const created = await rest(`/doctors/${id}/availability`, {
      token,
      json: { weekday: 7, startTime: "09:00", endTime: "12:00" },
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        success: true,
        message: "Availability added",
        data: {
          doctorId: id,
          weekday: 7,
          startTime: "09:00",
          endTime: "12:00",
          slotMinutes: 20,
          isActive: true,
        },
      },
    });
    const ruleId = String(created.body.data.id);
    await rest(`/doctors/${id}/availability`, {
      token,
      json: { weekday: 1, startTime: "13:00", endTime: "17:00", slotMinutes: 30, isActive: false },
    });

    const week = await rest(`/doctors/${id}/availability`);
    expect(week.status).toBe(200);
    expect(week.body.data.items.map((rule: { weekday: number }) => rule.weekday)).toEqual([1, 7]);
    expect(week.body.data.nextCursor).toBeNull();
    const active = await rest(`/doctors/${id}/availability?isActive=true&limit=5&order=asc`);
    expect(active.body.data.items.map((rule: { id: string }) => rule.id)).toEqual([ruleId]);
    expect(codeOf(await rest(`/doctors/${id}/availability?weekday=7`))).toBe("VALIDATION_FAILED");
    expect(codeOf(await rest(`/doctors/${id}/availability?isActive=yes`))).toBe("VALIDATION_FAILED");

    const overlapping = await rest(`/doctors/${id}/availability`, {
      token,
      json: { weekday: 7, startTime: "11:00", endTime: "13:00" },
    });
    expect(overlapping.status).toBe(409);
    expect(codeOf(overlapping)).toBe("AVAILABILITY_OVERLAP");

    const changed = await rest(`/doctors/availability/${ruleId}`, {
      method: "PATCH",
      token,
      json: { endTime: "12:30", slotMinutes: 30 },
    });
    expect(changed).toMatchObject({
      status: 200,
      body: {
        message: "Availability updated",
        data: { startTime: "09:00", endTime: "12:30", slotMinutes: 30 },
      },
    });
    const removed = await rest(`/doctors/availability/${ruleId}`, { method: "DELETE", token });
    expect(removed).toMatchObject({
      status: 200,
      body: { success: true, data: null, message: "Availability removed" },
    });
    expect((await rest(`/doctors/availability/${ruleId}`, { method: "DELETE", token })).status).toBe(404);
  });

  test("bad hours are 400 VALIDATION_FAILED naming the field", async () => {
    const { id, token } = await signedInDoctor();
    const refused = [
      { startTime: "12:00", endTime: "09:00" },
      { startTime: "09:00", endTime: "24:00" },
      { startTime: "7:5", endTime: "12:00" },
      { startTime: "09:00", endTime: "12:00", slotMinutes: 4 },
      { startTime: "09:00", endTime: "12:00", slotMinutes: 241 },
      { startTime: "09:00", endTime: "12:00", weekday: 8 },
    ];
    for (const fields of refused) {
      const answer = await rest(`/doctors/${id}/availability`, { token, json: { weekday: 3, ...fields } });
      expect({ fields, status: answer.status, code: codeOf(answer) }).toEqual({
        fields,
        status: 400,
        code: "VALIDATION_FAILED",
      });
      expect(answer.body.error.issues.length).toBeGreaterThan(0);
    }
    const reversed = await rest(`/doctors/${id}/availability`, {
      token,
      json: { weekday: 3, startTime: "12:00", endTime: "09:00" },
    });
    expect(reversed.body.error.issues).toEqual([
      { path: ["endTime"], message: expect.stringContaining("after") },
    ]);
  });

  test("time off and extra hours: added, listed from today or by dates, removed", async () => {
    const { id, token } = await signedInDoctor();
    const vacation = await rest(`/doctors/${id}/availability/exceptions`, {
      token,
      json: { kind: "TIME_OFF", startDate: fromToday(10), endDate: fromToday(14) },
    });
    expect(vacation).toMatchObject({
      status: 201,
      body: { message: "Exception added", data: { kind: "TIME_OFF", startTime: null, slotMinutes: null } },
    });
    const saturday = await rest(`/doctors/${id}/availability/exceptions`, {
      token,
      json: {
        kind: "EXTRA_HOURS",
        startDate: fromToday(3),
        endDate: fromToday(3),
        startTime: "09:00",
        endTime: "12:00",
      },
    });
    expect(saturday.body.data).toMatchObject({ startTime: "09:00", endTime: "12:00", slotMinutes: 30 });

    const upcoming = await rest(`/doctors/${id}/availability/exceptions`);
    expect(upcoming.body.data.items.map((e: { id: string }) => e.id)).toEqual([
      saturday.body.data.id,
      vacation.body.data.id,
    ]);
    const later = await rest(
      `/doctors/${id}/availability/exceptions?from=${fromToday(12)}&to=${fromToday(30)}`,
    );
    expect(later.body.data.items.map((e: { id: string }) => e.id)).toEqual([vacation.body.data.id]);
    const reversed = await rest(
      `/doctors/${id}/availability/exceptions?from=${fromToday(5)}&to=${fromToday(4)}`,
    );
    expect(codeOf(reversed)).toBe("VALIDATION_FAILED");
    expect(codeOf(await rest(`/doctors/${id}/availability/exceptions?from=2026-02-30`))).toBe(
      "VALIDATION_FAILED",
    );

    const clash = await rest(`/doctors/${id}/availability/exceptions`, {
      token,
      json: {
        kind: "EXTRA_HOURS",
        startDate: fromToday(3),
        endDate: fromToday(4),
        startTime: "11:00",
        endTime: "13:00",
      },
    });
    expect(codeOf(clash)).toBe("AVAILABILITY_OVERLAP");
    const tooLong = await rest(`/doctors/${id}/availability/exceptions`, {
      token,
      json: { kind: "TIME_OFF", startDate: fromToday(1), endDate: fromToday(400) },
    });
    expect(codeOf(tooLong)).toBe("VALIDATION_FAILED");

    const removed = await rest(`/doctors/availability/exceptions/${vacation.body.data.id}`, {
      method: "DELETE",
      token,
    });
    expect(removed).toMatchObject({ status: 200, body: { data: null, message: "Exception removed" } });
  });

  test("who may: the doctor and ADMIN write; another doctor gets 404, PATIENT and STAFF 403, nobody 401", async () => {
    const owner = await signedInDoctor();
    const created = await rest(`/doctors/${owner.id}/availability`, {
      token: owner.token,
      json: { weekday: 2, startTime: "09:00", endTime: "12:00" },
    });
    const ruleId = String(created.body.data.id);
    const other = await signedInDoctor();
    const patient = await tokenOf((await makePatient(server.handle.db)).user.email);
    const staff = await tokenFor("STAFF");
    const admin = await tokenFor("ADMIN");
    const change = (token?: string) =>
      rest(`/doctors/availability/${ruleId}`, {
        method: "PATCH",
        json: { isActive: false },
        ...(token ? { token } : {}),
      });
    const add = (token?: string) =>
      rest(`/doctors/${owner.id}/availability/exceptions`, {
        json: { kind: "TIME_OFF", startDate: fromToday(1), endDate: fromToday(1) },
        ...(token ? { token } : {}),
      });

    expect((await change(other.token)).status).toBe(404);
    expect((await add(other.token)).status).toBe(404);
    expect((await change(patient)).status).toBe(403);
    expect((await add(staff)).status).toBe(403);
    expect((await change()).status).toBe(401);
    expect((await add()).status).toBe(401);
    expect((await rest(`/doctors/availability/${ruleId}`, { method: "DELETE", token: staff })).status).toBe(
      403,
    );
    expect((await change(admin)).body.data).toMatchObject({ id: ruleId, isActive: false });
    expect((await add(admin)).status).toBe(201);
    // Everyone reads, signed in or not.
    for (const token of [undefined, patient, staff, other.token]) {
      const week = await rest(`/doctors/${owner.id}/availability`, token ? { token } : {});
      expect(week.body.data.items.map((rule: { id: string }) => rule.id)).toEqual([ruleId]);
    }
    expect((await rest(`/doctors/${crypto.randomUUID()}/availability`)).status).toBe(404);
  });

  test("booking settings: on the doctor's profile, changed through PATCH /doctors/me/profile", async () => {
    const { id, token } = await signedInDoctor();
    expect((await rest(`/doctors/${id}`)).body.data).toMatchObject({
      minNoticeMinutes: 60,
      bookingHorizonDays: 90,
    });
    const changed = await rest("/doctors/me/profile", {
      method: "PATCH",
      token,
      json: { minNoticeMinutes: 180, bookingHorizonDays: 30 },
    });
    expect(changed.body.data).toMatchObject({ minNoticeMinutes: 180, bookingHorizonDays: 30 });
    const refused = await rest("/doctors/me/profile", {
      method: "PATCH",
      token,
      json: { bookingHorizonDays: 0 },
    });
    expect(codeOf(refused)).toBe("VALIDATION_FAILED");
  });

  test("the SDK reads a doctor's hours with typed inputs, and its errors carry AVAILABILITY_OVERLAP", async () => {
    const { id, token } = await signedInDoctor();
    await rest(`/doctors/${id}/availability`, {
      token,
      json: { weekday: 4, startTime: "09:00", endTime: "12:00" },
    });
    const client = createMedicalClient({
      url: server.url,
      WebSocket: clientWebSocket,
      tokens: memoryTokenStore({ accessToken: token, refreshToken: "unused" }),
    });
    try {
      const week = await client.api.availability.list.query({ id, isActive: true, limit: 10 });
      expect(week.items.map((rule) => [rule.weekday, rule.startTime, rule.endTime])).toEqual([
        [4, "09:00", "12:00"],
      ]);
      const exceptions = await client.api.availability.listExceptions.query({ id, from: fromToday(0) });
      expect(exceptions).toEqual({ items: [], nextCursor: null });
      await expect(
        client.api.availability.create.mutate({ id, weekday: 4, startTime: "11:00", endTime: "13:00" }),
      ).rejects.toMatchObject({ data: { appCode: "AVAILABILITY_OVERLAP", httpStatus: 409 } });
    } finally {
      client.close();
    }
  });
});
