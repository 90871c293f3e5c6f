import { randomUUID } from "node:crypto";
import { appRouter } from "@medical/api";
import {
  asSuperuser,
  makeAppointment,
  makeDoctor,
  makePatient,
  makeUser,
  sealThrough,
} from "@medical/api/testing";
import { auditEvents } from "@medical/db/schema";
import { createMedicalClient, memoryTokenStore } from "@medical/sdk";
import { desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());
const { rest, tokenOf } = restClient(() => server.url);

const clientOf = (token: string) =>
  createMedicalClient({
    url: server.url,
    WebSocket: clientWebSocket,
    tokens: memoryTokenStore({ accessToken: token, refreshToken: "unused" }),
  });

/** A patient whose file a treating doctor has read, and tokens for every kind of caller. */
async function world() {
  const db = server.handle.db;
  const owner = await makePatient(db);
  const { doctor, user: doctorUser } = await makeDoctor(db, {
    user: { firstName: "Yacine", lastName: "Haddad" },
  });
  await makeAppointment(db, { doctorId: doctor.id, patientId: owner.patient.id });
  const doctorToken = await tokenOf(doctorUser.email);
  expect((await rest(`/patients/${owner.patient.id}`, { token: doctorToken })).status).toBe(200);
  const other = await makePatient(db);
  const account = async (role: "STAFF" | "ADMIN" | "DOCTOR") => tokenOf((await makeUser(db, { role })).email);
  return {
    patientId: owner.patient.id,
    owner: await tokenOf(owner.user.email),
    otherPatient: await tokenOf(other.user.email),
    treatingDoctor: doctorToken,
    doctor: await account("DOCTOR"),
    staff: await account("STAFF"),
    admin: await account("ADMIN"),
  };
}

describe("GET /api/v1/patients/me/access-log", () => {
  test("the patient sees the treating doctor's read by name; another patient does not; other roles 403, nobody 401", async () => {
    const w = await world();
    const mine = await rest("/patients/me/access-log?limit=50", { token: w.owner });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ success: true, data: { nextCursor: null } });
    expect(mine.body.data.items).toContainEqual(
      expect.objectContaining({
        action: "patient.clinical.read",
        outcome: "SUCCESS",
        actor: { kind: "CLINIC", name: "Yacine Haddad", role: "DOCTOR" },
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      }),
    );

    const theirs = await rest("/patients/me/access-log?limit=50", { token: w.otherPatient });
    expect(theirs.status).toBe(200);
    expect(theirs.text).not.toContain("Yacine");
    for (const who of ["doctor", "treatingDoctor", "staff", "admin"] as const) {
      const answer = await rest("/patients/me/access-log", { token: w[who] });
      expect({ who, status: answer.status, code: answer.body.error?.code }).toEqual({
        who,
        status: 403,
        code: "FORBIDDEN",
      });
    }
    expect((await rest("/patients/me/access-log")).status).toBe(401);
  });

  test("includeOwn is a boolean on the query string; anything else is a 400", async () => {
    const w = await world();
    await rest("/patients/me", { method: "PATCH", token: w.owner, json: { city: "Oran" } });
    const own = await rest("/patients/me/access-log?limit=100", { token: w.owner });
    expect(own.body.data.items.some((item: { actor: { kind: string } }) => item.actor.kind === "SELF")).toBe(
      true,
    );
    const others = await rest("/patients/me/access-log?limit=100&includeOwn=false", { token: w.owner });
    expect(others.status).toBe(200);
    expect(
      others.body.data.items.some((item: { actor: { kind: string } }) => item.actor.kind === "SELF"),
    ).toBe(false);
    const bad = await rest("/patients/me/access-log?includeOwn=maybe", { token: w.owner });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_FAILED" } } });
  });

  test("over tRPC through the SDK: the patient reads their log, a doctor is refused", async () => {
    const w = await world();
    const patient = clientOf(w.owner);
    const doctor = clientOf(w.treatingDoctor);
    try {
      const page = await patient.api.patients.accessLog.query({ limit: 10 });
      expect(page.items[0]?.occurredAt).toBeInstanceOf(Date);
      expect(page.items.map((item) => item.actor.name)).toContain("Yacine Haddad");
      await expect(doctor.api.patients.accessLog.query({ limit: 10 })).rejects.toMatchObject({
        data: { appCode: "FORBIDDEN", httpStatus: 403 },
      });
    } finally {
      patient.close();
      doctor.close();
    }
  });
});

describe("GET /api/v1/admin/audit/verify", () => {
  /** Seals everything written so far and returns the anchor the sealer logged last. */
  async function sealAll() {
    const [newest] = await server.handle.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .orderBy(desc(auditEvents.id))
      .limit(1);
    await sealThrough(server.deps, newest?.id ?? 0);
    const line = server.logs.lines.findLast((entry) => entry.includes('"msg":"audit chain sealed"'));
    return JSON.parse(line ?? "{}").auditAnchor;
  }

  test("ADMIN gets the report, also against an anchor from the log; other roles 403, nobody 401", async () => {
    const w = await world();
    const anchor = await sealAll();
    const report = await rest("/admin/audit/verify", { token: w.admin });
    expect(report).toMatchObject({
      status: 200,
      body: {
        success: true,
        data: { ok: true, firstBrokenLink: null, checkedRows: anchor.eventCount, lastAnchor: anchor },
      },
    });
    const logged = await rest(
      `/admin/audit/verify?eventCount=${anchor.eventCount}&headHash=${anchor.headHash}`,
      {
        token: w.admin,
      },
    );
    expect(logged.body.data.ok).toBe(true);
    const forged = await rest(
      `/admin/audit/verify?eventCount=${anchor.eventCount}&headHash=${"0".repeat(64)}`,
      {
        token: w.admin,
      },
    );
    expect(forged.body.data).toMatchObject({
      ok: false,
      firstBrokenLink: { seq: anchor.eventCount, reason: "ANCHOR_MISMATCH" },
    });
    const half = await rest(`/admin/audit/verify?eventCount=${anchor.eventCount}`, { token: w.admin });
    expect(half).toMatchObject({ status: 400, body: { error: { code: "VALIDATION_FAILED" } } });

    for (const who of ["owner", "treatingDoctor", "staff"] as const) {
      const answer = await rest("/admin/audit/verify", { token: w[who] });
      expect({ who, status: answer.status }).toEqual({ who, status: 403 });
    }
    expect((await rest("/admin/audit/verify")).status).toBe(401);
    const admin = clientOf(w.admin);
    try {
      expect(await admin.api.audit.verify.query({})).toMatchObject({ ok: true });
    } finally {
      admin.close();
    }
  });

  // Last in the file: it leaves this database's chain broken.
  test("an event edited by a superuser after sealing shows as the first broken link", async () => {
    const w = await world();
    await sealAll();
    const [target] = await server.handle.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(eq(auditEvents.action, "patient.clinical.read"))
      .orderBy(desc(auditEvents.id))
      .limit(1);
    await asSuperuser(
      server.handle.db,
      sql`update audit_events set actor_id = ${randomUUID()} where id = ${target?.id ?? 0}`,
    );

    const report = await rest("/admin/audit/verify", { token: w.admin });
    expect(report.body.data).toMatchObject({
      ok: false,
      firstBrokenLink: { eventId: target?.id, reason: "EVENT_ALTERED" },
    });
    expect(server.logs.text).toContain('"msg":"audit chain broken"');
  });
});
