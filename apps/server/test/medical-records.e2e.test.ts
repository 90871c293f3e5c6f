import { appRouter } from "@medical/api";
import { makeAppointment, makeDoctor, makeMedicalRecord, makePatient, makeUser } from "@medical/api/testing";
import { auditEvents, type User } from "@medical/db/schema";
import { createMedicalClient, type MedicalClient, memoryTokenStore } from "@medical/sdk";
import { TRPCClientError } from "@trpc/client";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RestAnswer, restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

/**
 * The records' access matrix over both transports of the real server: REST under /api/v1 and
 * tRPC through the SDK over HTTP. Each caller gets the same verdict on both (the cross-tenant
 * table in packages/api runs the same matrix through the router itself).
 */
let server: TestServer;
const { rest, tokenOf } = restClient(() => server.url);

type Who =
  | "anonymous"
  | "owner"
  | "otherPatient"
  | "author"
  | "treatingDoctor"
  | "otherDoctor"
  | "formerAuthor"
  | "staff"
  | "admin";

interface World {
  patientId: string;
  authorDoctorId: string;
  formerDoctorId: string;
  /** Read-only rows shared by the read cases. */
  clinicalId: string;
  noteId: string;
  formerEntryId: string;
}

let world: World;
const tokens = new Map<Who, string | null>();
const clients = new Map<Who, MedicalClient>();
const accounts = new Map<Who, User>();

beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
  const db = server.handle.db;
  const cipher = server.deps.fieldCipher;
  const owner = await makePatient(db);
  const other = await makePatient(db);
  const author = await makeDoctor(db);
  const treating = await makeDoctor(db);
  const stranger = await makeDoctor(db);
  const former = await makeDoctor(db);
  await makeAppointment(db, { doctorId: author.doctor.id, patientId: owner.patient.id, status: "COMPLETED" });
  await makeAppointment(db, { doctorId: treating.doctor.id, patientId: owner.patient.id });
  await makeAppointment(db, { doctorId: former.doctor.id, patientId: owner.patient.id, status: "CANCELLED" });
  const patientId = owner.patient.id;
  world = {
    patientId,
    authorDoctorId: author.doctor.id,
    formerDoctorId: former.doctor.id,
    clinicalId: (await makeMedicalRecord(db, { patientId, doctorId: author.doctor.id, cipher })).id,
    noteId: (await makeMedicalRecord(db, { patientId, cipher })).id,
    formerEntryId: (await makeMedicalRecord(db, { patientId, doctorId: former.doctor.id, cipher })).id,
  };
  const users: [Who, User][] = [
    ["owner", owner.user],
    ["otherPatient", other.user],
    ["author", author.user],
    ["treatingDoctor", treating.user],
    ["otherDoctor", stranger.user],
    ["formerAuthor", former.user],
    ["staff", await makeUser(db, { role: "STAFF" })],
    ["admin", await makeUser(db, { role: "ADMIN" })],
  ];
  tokens.set("anonymous", null);
  for (const [who, user] of users) {
    accounts.set(who, user);
    tokens.set(who, await tokenOf(user.email));
  }
  for (const [who, token] of tokens)
    clients.set(
      who,
      createMedicalClient({
        url: server.url,
        WebSocket: clientWebSocket,
        tokens: memoryTokenStore(token ? { accessToken: token, refreshToken: "unused" } : null),
      }),
    );
});
afterAll(async () => {
  for (const client of clients.values()) await client.close();
  await server.close();
});

type Api = MedicalClient["api"];
interface RestCall {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  json?: unknown;
}

interface Row {
  name: string;
  /** A fresh row for a case that changes one, made per caller and transport. */
  fresh?: () => Promise<string>;
  rest(id: string): RestCall;
  trpc(api: Api, id: string): Promise<unknown>;
  /** HTTP statuses; a caller left out gets 401 (anonymous) or 403. */
  expect: Partial<Record<Who, number>>;
}

const freshClinical = async () =>
  (
    await makeMedicalRecord(server.handle.db, {
      patientId: world.patientId,
      doctorId: world.authorDoctorId,
      cipher: server.deps.fieldCipher,
    })
  ).id;
const freshNote = async () =>
  (await makeMedicalRecord(server.handle.db, { patientId: world.patientId, cipher: server.deps.fieldCipher }))
    .id;

const readers = {
  owner: 200,
  otherPatient: 404,
  author: 200,
  treatingDoctor: 200,
  otherDoctor: 404,
  formerAuthor: 404,
  admin: 200,
} as const;
const clinicalChangers = { ...readers, owner: 403, treatingDoctor: 403 } as const;
const noteChangers = { ...readers, author: 403, treatingDoctor: 403 } as const;
const everyoneNotFound = {
  owner: 404,
  otherPatient: 404,
  author: 404,
  treatingDoctor: 404,
  otherDoctor: 404,
  formerAuthor: 404,
  admin: 404,
} as const;

const clinicalBody = () => ({ patientId: world.patientId, clinicalNotes: "Consultation" });

const rows: Row[] = [
  {
    name: "GET /medical-records/me",
    rest: () => ({ method: "GET", path: "/medical-records/me" }),
    trpc: (api) => api.medicalRecords.mine.query({}),
    expect: { owner: 200, otherPatient: 200 },
  },
  {
    name: "POST /medical-records/me",
    rest: () => ({ method: "POST", path: "/medical-records/me", json: { note: "Allergie aux arachides" } }),
    trpc: (api) => api.medicalRecords.addMine.mutate({ note: "Allergie aux arachides" }),
    expect: { owner: 201, otherPatient: 201 },
  },
  {
    name: "GET /medical-records/doctor/me",
    rest: () => ({ method: "GET", path: "/medical-records/doctor/me?authoredByMe=true" }),
    trpc: (api) => api.medicalRecords.doctorMine.query({ authoredByMe: true }),
    expect: { author: 200, treatingDoctor: 200, otherDoctor: 200, formerAuthor: 200 },
  },
  {
    name: "POST /medical-records",
    rest: () => ({ method: "POST", path: "/medical-records", json: clinicalBody() }),
    trpc: (api) => api.medicalRecords.create.mutate(clinicalBody()),
    expect: { author: 201, treatingDoctor: 201, otherDoctor: 404, formerAuthor: 404 },
  },
  ...(
    [
      ["a clinical entry", () => world.clinicalId, readers],
      ["the patient's note", () => world.noteId, readers],
      ["an entry by a former author", () => world.formerEntryId, { ...readers, formerAuthor: 200 }],
      ["an unknown id", () => crypto.randomUUID(), everyoneNotFound],
    ] as const
  ).map(
    ([what, idOf, expected]): Row => ({
      name: `GET /medical-records/{id}: ${what}`,
      fresh: async () => idOf(),
      rest: (id) => ({ method: "GET", path: `/medical-records/${id}` }),
      trpc: (api, id) => api.medicalRecords.get.query({ id }),
      expect: expected,
    }),
  ),
  ...(
    [
      ["a clinical entry", freshClinical, clinicalChangers, { clinicalNotes: "Complété" }],
      ["the patient's note", freshNote, noteChangers, { note: "Corrigé" }],
    ] as const
  ).flatMap(([what, fresh, expected, change]): Row[] => [
    {
      name: `PATCH /medical-records/{id}: ${what}`,
      fresh,
      rest: (id) => ({ method: "PATCH", path: `/medical-records/${id}`, json: { version: 1, ...change } }),
      trpc: (api, id) => api.medicalRecords.update.mutate({ id, version: 1, ...change }),
      expect: expected,
    },
    {
      name: `DELETE /medical-records/{id}: ${what}`,
      fresh,
      rest: (id) => ({ method: "DELETE", path: `/medical-records/${id}?reason=Saisi%20par%20erreur` }),
      trpc: (api, id) => api.medicalRecords.delete.mutate({ id, reason: "Saisi par erreur" }),
      expect: expected,
    },
  ]),
  {
    name: "GET /medical-records/{id}/versions: a clinical entry",
    fresh: async () => world.clinicalId,
    rest: (id) => ({ method: "GET", path: `/medical-records/${id}/versions` }),
    trpc: (api, id) => api.medicalRecords.versions.query({ id }),
    expect: { ...readers, treatingDoctor: 404 },
  },
  {
    name: "GET /medical-records/{id}/versions: the patient's note",
    fresh: async () => world.noteId,
    rest: (id) => ({ method: "GET", path: `/medical-records/${id}/versions` }),
    trpc: (api, id) => api.medicalRecords.versions.query({ id }),
    expect: { ...readers, author: 404, treatingDoctor: 404 },
  },
];

const callers: Who[] = [
  "anonymous",
  "owner",
  "otherPatient",
  "author",
  "treatingDoctor",
  "otherDoctor",
  "formerAuthor",
  "staff",
  "admin",
];
const expectedStatus = (row: Row, who: Who) => row.expect[who] ?? (who === "anonymous" ? 401 : 403);
const CODES: Record<number, string> = { 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND" };

describe.each(rows)("$name", (row) => {
  test.each(callers)("over REST as %s", async (who) => {
    const id = row.fresh ? await row.fresh() : "";
    const call = row.rest(id);
    const answer = await rest(call.path, {
      method: call.method,
      ...(call.json === undefined ? {} : { json: call.json }),
      ...(tokens.get(who) ? { token: tokens.get(who) ?? "" } : {}),
    });
    const status = expectedStatus(row, who);
    expect(answer.status).toBe(status);
    if (status >= 400)
      expect(answer.body).toMatchObject({ success: false, data: null, error: { code: CODES[status] } });
    else expect(answer.body.success).toBe(true);
  });

  test.each(callers)("over tRPC as %s", async (who) => {
    const id = row.fresh ? await row.fresh() : "";
    const client = clients.get(who);
    if (!client) throw new Error(`no client for ${who}`);
    const outcome = await row.trpc(client.api, id).then(
      () => 200,
      (error: unknown) => {
        if (!(error instanceof TRPCClientError)) throw error;
        return Number(error.data?.httpStatus);
      },
    );
    const status = expectedStatus(row, who);
    expect(outcome).toBe(status === 201 ? 200 : status);
  });
});

describe("the records over REST", () => {
  const as = (who: Who) => tokens.get(who) ?? "";

  test("a write answers 201 with its message; a PATCH of a stale version 409 STALE_VERSION; DELETE data null", async () => {
    const created = await rest("/medical-records", {
      token: as("author"),
      json: {
        patientId: world.patientId,
        diagnoses: [{ code: "i10", description: "Hypertension essentielle" }],
        prescriptions: [
          {
            medication: "Amlodipine 5 mg",
            dosage: "1 comprimé",
            route: "orale",
            frequency: "1 fois par jour",
          },
        ],
        followUpDate: "2027-02-01",
      },
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        success: true,
        message: "Medical record created",
        data: {
          kind: "CLINICAL",
          diagnoses: [{ code: "I10" }],
          prescriptions: [{ duration: null, instructions: null }],
          followUpDate: "2027-02-01",
          version: 1,
          deletion: null,
        },
      },
    });
    const id = String(created.body.data.id);
    expect(created.body.data.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    const edit = (json: unknown) =>
      rest(`/medical-records/${id}`, { method: "PATCH", token: as("author"), json });
    expect(await edit({ version: 1, treatmentPlan: "Régime pauvre en sel" })).toMatchObject({
      status: 200,
      body: {
        message: "Medical record updated",
        data: { version: 2, treatmentPlan: "Régime pauvre en sel" },
      },
    });
    expect(await edit({ version: 1, treatmentPlan: "Écrasé" })).toMatchObject({
      status: 409,
      body: { success: false, data: null, error: { code: "STALE_VERSION" } },
    });
    const versions = await rest(`/medical-records/${id}/versions?order=asc`, { token: as("owner") });
    expect(versions.body.data.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const removed = await rest(`/medical-records/${id}?reason=Erreur%20de%20dossier`, {
      method: "DELETE",
      token: as("author"),
    });
    expect(removed).toMatchObject({
      status: 200,
      body: { success: true, data: null, message: "Medical record deleted" },
    });
    expect((await rest(`/medical-records/${id}`, { token: as("owner") })).status).toBe(404);
    expect(await rest(`/medical-records/${id}`, { token: as("admin") })).toMatchObject({
      status: 200,
      body: { data: { deletion: { reason: "Erreur de dossier", by: { role: "DOCTOR" } } } },
    });
  });

  test("a patient's note is marked patient-reported whatever the body says", async () => {
    const refused = await rest("/medical-records/me", {
      token: as("owner"),
      json: { note: "Fracture du poignet en 2015", kind: "CLINICAL" },
    });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_FAILED" } } });
    const added = await rest("/medical-records/me", {
      token: as("owner"),
      json: { note: "Fracture du poignet en 2015" },
    });
    expect(added).toMatchObject({
      status: 201,
      body: { message: "History note added", data: { kind: "PATIENT_REPORTED", doctor: null } },
    });
  });

  test("bad input is a 400 naming the field (or a 409), never a 500", async () => {
    const id = await freshClinical();
    const token = as("author");
    const answers: [string, RestAnswer][] = [];
    const add = async (what: string, path: string, init: Parameters<typeof rest>[1]) => {
      answers.push([what, await rest(path, { token, ...init })]);
    };
    await add("no body", "/medical-records", { json: {} });
    await add("a malformed body", "/medical-records", {
      body: "{",
      headers: { "content-type": "application/json" },
    });
    await add("a text version", `/medical-records/${id}`, {
      method: "PATCH",
      json: { version: "1", clinicalNotes: "x" },
    });
    await add("a boolean as text", `/medical-records/doctor/me?authoredByMe=maybe`, {});
    await add("an unknown query key", `/medical-records/doctor/me?author=me`, {});
    await add("a forged cursor", `/medical-records/doctor/me?cursor=bm90LWEtY3Vyc29y`, {});
    await add("an id that is no uuid", `/medical-records/not-a-uuid`, {});
    await add("a DELETE without reason", `/medical-records/${id}`, { method: "DELETE" });
    await add("a bad ICD-10 code", "/medical-records", {
      json: { patientId: world.patientId, diagnoses: [{ code: "hypertension", description: "HTA" }] },
    });
    await add("a huge note", "/medical-records", {
      json: { patientId: world.patientId, clinicalNotes: "x".repeat(10_001) },
    });
    await add("a null version", `/medical-records/${id}`, {
      method: "PATCH",
      json: { version: null, clinicalNotes: "x" },
    });
    for (const [what, answer] of answers) {
      expect({ what, status: answer.status }).toEqual({ what, status: 400 });
      expect(answer.body.error.code, what).toMatch(/^(VALIDATION_FAILED|MALFORMED_JSON)$/);
    }
    const tooLate = await rest(`/medical-records/${id}`, {
      method: "PATCH",
      token,
      json: { version: 2_147_483_647, clinicalNotes: "x" },
    });
    expect([tooLate.status, tooLate.body.error.code]).toEqual([409, "STALE_VERSION"]);
  });

  test("every REST read is audited with the caller's request id", async () => {
    const requestId = `records-${crypto.randomUUID()}`;
    const answer = await rest(`/medical-records/${world.clinicalId}`, {
      token: as("treatingDoctor"),
      headers: { "x-request-id": requestId },
    });
    expect(answer.status).toBe(200);
    const audited = await server.handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.requestId, requestId));
    expect(audited).toMatchObject([
      {
        action: "medical_record.read",
        outcome: "SUCCESS",
        actorId: accounts.get("treatingDoctor")?.id,
        actorRole: "DOCTOR",
        targetType: "medical_record",
        targetId: world.clinicalId,
        patientId: world.patientId,
      },
    ]);
  });
});
