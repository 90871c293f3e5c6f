import { appRouter, createFieldCipher } from "@medical/api";
import { makeAppointment, makeDoctor, makePatient, TEST_ENCRYPTION_KEY } from "@medical/api/testing";
import type { AppointmentStatus } from "@medical/db/schema";
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

/** A patient whose profile holds an allergy only clinical readers may see. */
async function patientWithAllergy() {
  const allergy = `Arachides-${crypto.randomUUID().slice(0, 8)}`;
  const { patient, user } = await makePatient(server.handle.db, {
    clinical: { cipher: createFieldCipher([TEST_ENCRYPTION_KEY]), data: { allergies: [allergy] } },
  });
  return { patient, user, allergy };
}

/** A signed-in doctor with one appointment of `status` with the patient, or none. */
async function doctorOf(patientId: string, status?: AppointmentStatus) {
  const { doctor, user } = await makeDoctor(server.handle.db);
  if (status) await makeAppointment(server.handle.db, { doctorId: doctor.id, patientId, status });
  return { user, token: await tokenOf(user.email) };
}

describe("the care relationship over REST", () => {
  test("a treating doctor reads and lists the patient with clinical fields but writes nothing", async () => {
    const { patient, user, allergy } = await patientWithAllergy();
    for (const status of ["SCHEDULED", "COMPLETED", "NO_SHOW"] as const) {
      const { token } = await doctorOf(patient.id, status);
      const read = await rest(`/patients/${patient.id}`, { token });
      expect(read.status, status).toBe(200);
      expect(read.body.data.clinical.allergies).toEqual([allergy]);
      const list = await rest(`/patients?q=${encodeURIComponent(user.lastName)}`, { token });
      expect(list.body.data.items.map((item: { id: string }) => item.id)).toEqual([patient.id]);
      expect(list.text).not.toContain(allergy);
      const write = await rest(`/patients/${patient.id}`, { method: "PATCH", token, json: { city: "Oran" } });
      expect(write).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
    }
  });

  test("a doctor with only a cancelled appointment, or none, gets 404 and an empty list", async () => {
    const { patient, user, allergy } = await patientWithAllergy();
    for (const status of ["CANCELLED", undefined] as const) {
      const { token } = await doctorOf(patient.id, status);
      const read = await rest(`/patients/${patient.id}`, { token });
      expect(read).toMatchObject({ status: 404, body: { error: { code: "NOT_FOUND" } } });
      expect(read.text).not.toContain(allergy);
      const list = await rest(`/patients?q=${encodeURIComponent(user.lastName)}`, { token });
      expect(list.body.data).toEqual({ items: [], nextCursor: null });
    }
  });
});

describe("the care relationship over tRPC", () => {
  test("the SDK reads a treated patient's profile; another doctor's call is NOT_FOUND", async () => {
    const { patient, allergy } = await patientWithAllergy();
    const treating = await doctorOf(patient.id, "SCHEDULED");
    const unrelated = await doctorOf(patient.id);
    const clientOf = (token: string) =>
      createMedicalClient({
        url: server.url,
        WebSocket: clientWebSocket,
        tokens: memoryTokenStore({ accessToken: token, refreshToken: "unused" }),
      });
    const mine = clientOf(treating.token);
    const theirs = clientOf(unrelated.token);
    try {
      const profile = await mine.api.patients.get.query({ id: patient.id });
      expect(profile.clinical?.allergies).toEqual([allergy]);
      const page = await mine.api.patients.list.query({ limit: 10 });
      expect(page.items.map((item) => item.id)).toContain(patient.id);
      await expect(theirs.api.patients.get.query({ id: patient.id })).rejects.toMatchObject({
        data: { appCode: "NOT_FOUND", httpStatus: 404 },
      });
      expect((await theirs.api.patients.list.query({ limit: 10 })).items).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
