import { appRouter } from "@medical/api";
import {
  makeAppointment,
  makeBillingEntry,
  makeDoctor,
  makeMedicalRecord,
  makePatient,
  makeUser,
  testSettings,
} from "@medical/api/testing";
import { auditEvents, type User } from "@medical/db/schema";
import { createMedicalClient, type MedicalClient, memoryTokenStore } from "@medical/sdk";
import { TRPCClientError } from "@trpc/client";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

/**
 * The patient data export over both transports of the real server: REST under /api/v1 (the
 * envelope, `Content-Disposition: attachment`) and tRPC through the SDK, with the same verdict for
 * each caller on both (the cross-tenant table in packages/api runs the matrix through the router).
 */
let server: TestServer;
const { rest, tokenOf } = restClient(() => server.url);

type Who =
  | "anonymous"
  | "owner"
  | "otherPatient"
  | "noProfile"
  | "doctor"
  | "treatingDoctor"
  | "staff"
  | "admin";

let ownerId: string;
let ownerAccount: Pick<User, "id" | "email">;
let otherId: string;
const tokens = new Map<Who, string | null>();
const clients = new Map<Who, MedicalClient>();

beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
  const db = server.handle.db;
  const cipher = server.deps.fieldCipher;
  const owner = await makePatient(db);
  const other = await makePatient(db);
  const treating = await makeDoctor(db);
  await makeAppointment(db, {
    doctorId: treating.doctor.id,
    patientId: owner.patient.id,
    reason: "Contrôle",
    cipher,
  });
  await makeMedicalRecord(db, { patientId: owner.patient.id, doctorId: treating.doctor.id, cipher });
  await makeBillingEntry(db, { patientId: owner.patient.id, cipher });
  ownerId = owner.patient.id;
  ownerAccount = owner.user;
  otherId = other.patient.id;
  const users: [Who, User][] = [
    ["owner", owner.user],
    ["otherPatient", other.user],
    ["noProfile", await makeUser(db, { role: "PATIENT" })],
    ["doctor", (await makeDoctor(db)).user],
    ["treatingDoctor", treating.user],
    ["staff", await makeUser(db, { role: "STAFF" })],
    ["admin", await makeUser(db, { role: "ADMIN" })],
  ];
  tokens.set("anonymous", null);
  for (const [who, user] of users) tokens.set(who, await tokenOf(user.email));
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

const STATUS_OF_CODE: Record<string, number> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/** The HTTP status a tRPC call ends with (200 when it answers). */
async function trpcStatus(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof TRPCClientError)
      return error.data?.httpStatus ?? STATUS_OF_CODE[error.data?.code] ?? 0;
    throw error;
  }
}

interface Row {
  name: string;
  path: () => string;
  trpc(client: MedicalClient): Promise<{ patient: { id: string } }>;
  expect: Partial<Record<Who, number>>;
  /** Whose file a 200 holds, per caller. */
  fileOf?: Partial<Record<Who, () => string>>;
}

const rows: Row[] = [
  {
    name: "GET /patients/me/export",
    path: () => "/patients/me/export",
    trpc: (client) => client.api.patients.exportMe.query(),
    expect: { owner: 200, otherPatient: 200, noProfile: 404 },
    fileOf: { owner: () => ownerId, otherPatient: () => otherId },
  },
  {
    name: "GET /patients/{id}/export: the owner's",
    path: () => `/patients/${ownerId}/export`,
    trpc: (client) => client.api.patients.export.query({ id: ownerId }),
    expect: { admin: 200 },
    fileOf: { admin: () => ownerId },
  },
  {
    name: "GET /patients/{id}/export: an unknown id",
    path: () => `/patients/${crypto.randomUUID()}/export`,
    trpc: (client) => client.api.patients.export.query({ id: crypto.randomUUID() }),
    expect: { admin: 404 },
  },
];

const callers: Who[] = [
  "anonymous",
  "owner",
  "otherPatient",
  "noProfile",
  "doctor",
  "treatingDoctor",
  "staff",
  "admin",
];

describe.each(rows)("$name", (row) => {
  test.each(callers)("as %s: the same verdict over REST and tRPC, and the right file", async (who) => {
    const expected = row.expect[who] ?? (who === "anonymous" ? 401 : 403);
    const token = tokens.get(who) ?? undefined;
    const answer = await rest(row.path(), token ? { token } : {});
    expect({ who, status: answer.status }).toEqual({ who, status: expected });
    const client = clients.get(who);
    if (!client) throw new Error(`no client for ${who}`);
    expect({ who, status: await trpcStatus(row.trpc(client)) }).toEqual({ who, status: expected });
    if (expected !== 200) {
      expect(answer.body).toMatchObject({ success: false, data: null });
      expect(answer.headers.get("content-disposition")).toBeNull();
      return;
    }
    const fileOf = row.fileOf?.[who];
    expect(answer.body.data.patient.id).toBe(fileOf?.());
    expect((await row.trpc(client)).patient.id).toBe(fileOf?.());
  });
});

describe("the REST answer", () => {
  test("the envelope with the document, saved as a file named after the patient; instants as ISO strings", async () => {
    const answer = await rest("/patients/me/export", { token: tokens.get("owner") ?? "" });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
    expect(answer.headers.get("content-disposition")).toBe(
      `attachment; filename="patient-export-${ownerId}.json"`,
    );
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("x-operation-id")).toBeTruthy();
    expect(answer.body).toMatchObject({
      success: true,
      message: "Your data export",
      data: {
        schemaVersion: 1,
        exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        account: { id: ownerAccount.id, email: ownerAccount.email, role: "PATIENT" },
        patient: { id: ownerId, clinical: { allergies: [] } },
        appointments: [{ reason: "Contrôle", history: [] }],
        medicalRecords: [{ versions: [{ version: 1 }] }],
        billing: { entries: [{ description: "Consultation" }], policies: [], claims: [] },
        reviews: [],
        favorites: [],
        accessLog: expect.any(Array),
      },
    });
    const byAdmin = await rest(`/patients/${ownerId}/export`, { token: tokens.get("admin") ?? "" });
    expect(byAdmin.headers.get("content-disposition")).toBe(
      `attachment; filename="patient-export-${ownerId}.json"`,
    );
    expect(byAdmin.body.message).toBe("Patient data export");
  });

  test("over the SDK the document's instants are Dates", async () => {
    const document = await clients.get("owner")?.api.patients.exportMe.query();
    expect(document?.exportedAt).toBeInstanceOf(Date);
    expect(document?.appointments[0]?.startsAt).toBeInstanceOf(Date);
  });

  test("bad input is a 400 before any file is read: a bad id, an unknown query parameter", async () => {
    const admin = tokens.get("admin") ?? "";
    const badId = await rest("/patients/not-a-uuid/export", { token: admin });
    expect(badId).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_FAILED" } } });
    const extra = await rest("/patients/me/export?full=true", { token: tokens.get("owner") ?? "" });
    expect(extra).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_FAILED" } } });
  });

  test("past the per-user limit: 429 RATE_LIMITED with Retry-After, and no file", async () => {
    const tight = await startTestServer({
      router: appRouter,
      handle: server.handle,
      deps: {
        settings: {
          rateLimits: { ...testSettings.rateLimits, export: [{ points: 1, durationMs: 600_000 }] },
        },
      },
    });
    try {
      const token = tokens.get("otherPatient") ?? "";
      const call = () =>
        fetch(`${tight.url}/api/v1/patients/me/export`, { headers: { authorization: `Bearer ${token}` } });
      expect((await call()).status).toBe(200);
      const limited = await call();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(500);
      expect(limited.headers.get("content-disposition")).toBeNull();
      expect(await limited.json()).toMatchObject({
        success: false,
        data: { retryAfterSeconds: expect.any(Number) },
        error: { code: "RATE_LIMITED" },
      });
    } finally {
      await tight.shutdown();
    }
  });

  test("each REST export writes one audit event; a refused one is audited too", async () => {
    const db = server.handle.db;
    const exportsOf = async (outcome: "SUCCESS" | "DENIED") =>
      (
        await db
          .select({ id: auditEvents.id })
          .from(auditEvents)
          .where(
            and(
              eq(auditEvents.action, "patient.export"),
              eq(auditEvents.outcome, outcome),
              eq(auditEvents.patientId, ownerId),
            ),
          )
      ).length;
    const [done, refused] = [await exportsOf("SUCCESS"), await exportsOf("DENIED")];
    await rest("/patients/me/export", { token: tokens.get("owner") ?? "" });
    await rest(`/patients/${ownerId}/export`, { token: tokens.get("staff") ?? "" });
    expect([await exportsOf("SUCCESS"), await exportsOf("DENIED")]).toEqual([done + 1, refused + 1]);
  });
});
