import { appRouter } from "@medical/api";
import { makeAppointment, makeDoctor, makeSpecialty, makeUser, testSettings } from "@medical/api/testing";
import { createMedicalClient } from "@medical/sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());
const { rest, tokenOf } = restClient(() => server.url);

async function tokenFor(role: "ADMIN" | "STAFF" | "PATIENT" | "DOCTOR") {
  const user = await makeUser(server.handle.db, { role });
  return { user, token: await tokenOf(user.email) };
}

describe("patients and doctors over REST", () => {
  test("a patient's profile, favourite and review; staff never sees clinical fields", async () => {
    const specialty = await makeSpecialty(server.handle.db, `Diabétologie ${Date.now()}`);
    const { doctor } = await makeDoctor(server.handle.db, {
      city: "Tizi Ouzou",
      specialtyIds: [specialty.id],
    });
    const patient = await tokenFor("PATIENT");

    expect((await rest("/patients/me", { token: patient.token })).status).toBe(404);
    expect(
      (await rest(`/doctors/${doctor.id}/favorite`, { method: "POST", token: patient.token })).body.error
        .code,
    ).toBe("PROFILE_REQUIRED");
    const created = await rest("/patients/me", {
      token: patient.token,
      json: {
        dateOfBirth: "1988-03-21",
        sex: "FEMALE",
        city: "Tizi Ouzou",
        clinical: { bloodType: "O+", allergies: ["Pénicilline"] },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.data.clinical).toMatchObject({ bloodType: "O+", allergies: ["Pénicilline"] });

    expect(
      (await rest(`/doctors/${doctor.id}/favorite`, { method: "POST", token: patient.token })).status,
    ).toBe(200);
    const favorites = await rest("/doctors/me/favorites", { token: patient.token });
    expect(favorites.body.data.items.map((d: { id: string }) => d.id)).toEqual([doctor.id]);
    const beforeVisit = await rest(`/doctors/${doctor.id}/reviews`, {
      token: patient.token,
      json: { rating: 5, comment: "Très à l'écoute" },
    });
    expect(beforeVisit).toMatchObject({ status: 409, body: { error: { code: "REVIEW_REQUIRES_VISIT" } } });
    await makeAppointment(server.handle.db, {
      doctorId: doctor.id,
      patientId: String(created.body.data.id),
      status: "COMPLETED",
    });
    const review = await rest(`/doctors/${doctor.id}/reviews`, {
      token: patient.token,
      json: { rating: 5, comment: "Très à l'écoute" },
    });
    expect(review.status).toBe(201);
    expect(review.body).toMatchObject({
      success: true,
      message: "Review saved",
      data: { reviewer: "Verified patient" },
    });

    const search = await rest(`/doctors?city=tizi%20ouzou&specialty=diabetologie&minRating=4`);
    expect(search.body.data.items.map((d: { id: string }) => d.id)).toContain(doctor.id);
    expect(search.text).not.toContain("@example.dz");

    const staff = await tokenFor("STAFF");
    const seenByStaff = await rest(`/patients/${created.body.data.id}`, { token: staff.token });
    expect(seenByStaff.status).toBe(200);
    expect(seenByStaff.body.data).not.toHaveProperty("clinical");
    expect(seenByStaff.text).not.toContain("Pénicilline");
    const denied = await rest(`/patients/${created.body.data.id}`, {
      method: "PATCH",
      token: staff.token,
      json: { clinical: { bloodType: "A+" } },
    });
    expect(denied.status).toBe(403);
    const other = await tokenFor("PATIENT");
    expect((await rest(`/patients/${created.body.data.id}`, { token: other.token })).status).toBe(404);
    expect((await rest("/patients", { token: other.token })).status).toBe(403);
  });

  test("specialties and the doctor search answer through the SDK with the router's types", async () => {
    const client = createMedicalClient({ url: server.url, WebSocket: clientWebSocket });
    try {
      const specialties = await client.api.specialties.list.query({});
      expect(specialties).toMatchObject({ items: expect.any(Array), nextCursor: null });
      const page = await client.api.doctors.search.query({ limit: 5, sort: "rating" });
      expect(page).toMatchObject({ totalExact: true });
      const { token } = await tokenFor("ADMIN");
      const denied = await rest("/doctors/specialties", { json: { name: "Médecine" }, token: "not-a-token" });
      expect(denied.status).toBe(401);
      const created = await rest("/doctors/specialties", {
        json: { name: `Néphrologie ${Date.now()}` },
        token,
      });
      expect(created.status).toBe(201);
    } finally {
      client.close();
    }
  });

  test("public search is rate-limited per IP with 429 and Retry-After", async () => {
    const tight = await startTestServer({
      router: appRouter,
      handle: server.handle,
      // Only the public reads' limit is tight; the others stay the tests' roomy ones.
      deps: {
        settings: { rateLimits: { ...testSettings.rateLimits, public: [{ points: 2, durationMs: 10_000 }] } },
      },
    });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${tight.url}/api/v1/doctors?limit=1`);
        statuses.push(response.status);
        retryAfter = response.headers.get("retry-after");
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await tight.shutdown();
    }
  });
});
