import {
  callerFor,
  makeAppointment,
  makeDoctor,
  makePatient,
  makeSpecialty,
  makeTestDeps,
  TEST_JWT_SECRET,
  TEST_PASSWORD,
} from "@medical/api/testing";
import { selectRows } from "@medical/db";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { bareGet, queryOn, tokensOf, wire } from "../twin-testing.ts";
import { appointmentsMine } from "./appointments-mine.ts";

/**
 * The bare twin is a baseline only if it answers what the server answers: the same items and
 * cursors (each side walks its own), page after page, for a patient with appointments with
 * several doctors, past and upcoming, some cancelled.
 */
const DAY_MS = 86_400_000;
let handle: TestDatabase;
let email: string;
beforeAll(async () => {
  handle = await openFileDatabase();
  const cardiology = await makeSpecialty(handle.db, "Cardiologie");
  const pediatrics = await makeSpecialty(handle.db, "Pédiatrie");
  const doctors = [
    await makeDoctor(handle.db, { specialtyIds: [cardiology.id, pediatrics.id] }),
    await makeDoctor(handle.db, { specialtyIds: [pediatrics.id], timezone: "Europe/Paris" }),
    await makeDoctor(handle.db),
  ];
  const { patient, user } = await makePatient(handle.db);
  email = user.email;
  const now = Date.now();
  for (let i = 0; i < 23; i++) {
    const doctor = doctors[i % 3]?.doctor;
    if (!doctor) throw new Error("no doctor");
    const cancelled = i % 5 === 0;
    await makeAppointment(handle.db, {
      doctorId: doctor.id,
      patientId: patient.id,
      createdBy: user.id,
      startsAt: new Date(now + (i - 12) * DAY_MS),
      ...(cancelled ? { status: "CANCELLED", cancelledAt: new Date(now) } : {}),
    });
  }
}, 60_000);
afterAll(() => handle.close());

const twin = { query: queryOn(() => handle.db), tokens: tokensOf(TEST_JWT_SECRET) };

describe("the appointments.mine bare twin", () => {
  test("the server's pages and cursors, walked to the end on both sides", async () => {
    const deps = makeTestDeps(handle);
    const { accessToken } = await callerFor(deps).auth.login({ email, password: TEST_PASSWORD });
    const server = callerFor(deps, { accessToken });
    const [route] = appointmentsMine.bare;
    if (!route) throw new Error("no bare route");
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const path = `${route.path}?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const fromBare = await bareGet(route, twin, path, `Bearer ${accessToken}`);
      const expected = await server.appointments.mine({ limit: 5, cursor: cursor ?? undefined });
      expect(wire(fromBare.body)).toEqual({ success: true, data: wire(expected), message: null });
      cursor = expected.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(5);
    expect(cursor).toBeNull();
    // Each of the twin's pages was audited as the server audits one: ten rows, five each.
    const [audited] = await selectRows(
      handle.db,
      sql`select count(*)::int as n, count(distinct resource_ids)::int as pages from audit_events where action = 'appointment.list'`,
    );
    expect(audited).toEqual({ n: 10, pages: 5 });
  });

  test("no token, another role, or a foreign cursor: refused as the server refuses", async () => {
    const [route] = appointmentsMine.bare;
    if (!route) throw new Error("no bare route");
    const call = (path: string, authorization?: string) => bareGet(route, twin, path, authorization);
    expect((await call(route.path)).status).toBe(401);
    const deps = makeTestDeps(handle);
    const doctor = await makeDoctor(handle.db);
    const session = await callerFor(deps).auth.login({ email: doctor.user.email, password: TEST_PASSWORD });
    expect((await call(route.path, `Bearer ${session.accessToken}`)).status).toBe(403);
  });
});
