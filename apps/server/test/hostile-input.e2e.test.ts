import { appRouter } from "@medical/api";
import { makeDoctor, makePatient, makeUser } from "@medical/api/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

/** What an outside attack sent (fuzzed strings, forged cursors, deep JSON, empty changes): all 400s. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());
const { rest, tokenOf } = restClient(() => server.url);

function expectRefused(res: { status: number; body: { error?: { code?: string } } }, what: string) {
  expect({ what, status: res.status, code: res.body.error?.code }).toEqual({
    what,
    status: 400,
    code: "VALIDATION_FAILED",
  });
}

describe("U+0000 in text", () => {
  test("is refused in a query, a body and a path's sibling fields, signed in or not", async () => {
    const admin = await tokenOf((await makeUser(server.handle.db, { role: "ADMIN" })).email);
    expectRefused(await rest("/doctors?city=%00"), "GET /doctors?city=%00");
    expectRefused(await rest("/doctors?q=a%00b"), "GET /doctors?q=a%00b");
    expectRefused(await rest("/users?q=%00", { token: admin }), "GET /users?q=%00");
    const register = await rest("/auth/register", {
      body: JSON.stringify({
        email: `nul-${Date.now()}@example.dz`,
        password: "Another-Long-Passphrase-7",
        firstName: "Am\u0000ina",
        lastName: "Haddad",
      }),
    });
    expectRefused(register, "POST /auth/register firstName");
    expect(register.body.message).toContain("NUL");
    expectRefused(
      await rest("/doctors/specialties", {
        token: admin,
        body: JSON.stringify({ name: "Cardio\u0000logie" }),
      }),
      "POST /doctors/specialties",
    );
  });
});

type SortType = "date" | "string" | "int" | "decimal";
type IdType = "uuid" | "int";

/** Values a forged cursor may carry for a sort of each type that no column of that type holds. */
const hostileValues: Record<SortType, unknown[]> = {
  date: ["0000-01-01T00:00:00.000Z", "+275760-09-13T00:00:00.000Z", "275760-09-13T00:00:00.000Z", 5],
  string: ["a\u0000b", "x".repeat(10_000), 5],
  int: [2_147_483_648, -2_147_483_649, 1.5, 1e300, "5"],
  decimal: [1e300, -1e300, "5"],
};
const hostileIds: Record<IdType, unknown[]> = {
  uuid: ["not-a-uuid", "x".repeat(10_000), 5],
  int: [-1, 2 ** 64, 1.5, "1"],
};
const validValue: Record<SortType, unknown> = {
  date: "2026-01-01T00:00:00.000Z",
  string: "m",
  int: 5,
  decimal: 4.5,
};
const validId: Record<IdType, unknown> = { uuid: "00000000-0000-4000-8000-000000000000", int: 1 };

function cursor(s: string, v: unknown, id: unknown): string {
  return Buffer.from(JSON.stringify({ s, o: "desc", v, id })).toString("base64url");
}

describe("a forged cursor", () => {
  test("with a value or id its sort's column cannot hold is 400 VALIDATION_FAILED on every list", async () => {
    const admin = await tokenOf((await makeUser(server.handle.db, { role: "ADMIN" })).email);
    const { user: patientUser } = await makePatient(server.handle.db);
    const patient = await tokenOf(patientUser.email);
    const { doctor } = await makeDoctor(server.handle.db);
    const lists: { path: string; token?: string; sorts: Record<string, SortType>; id: IdType }[] = [
      {
        path: "/doctors",
        sorts: { rating: "decimal", name: "string", experience: "int", fee: "int" },
        id: "uuid",
      },
      { path: "/doctors/specialties", sorts: { name: "string" }, id: "uuid" },
      { path: `/doctors/${doctor.id}/reviews`, sorts: { createdAt: "date" }, id: "uuid" },
      { path: "/doctors/me/favorites", token: patient, sorts: { addedAt: "date" }, id: "uuid" },
      { path: "/doctors/admin/reviews", token: admin, sorts: { createdAt: "date" }, id: "uuid" },
      {
        path: "/users",
        token: admin,
        sorts: { createdAt: "date", email: "string", lastName: "string" },
        id: "uuid",
      },
      { path: "/patients", token: admin, sorts: { createdAt: "date", lastName: "string" }, id: "uuid" },
      { path: "/admin/audit", token: admin, sorts: { occurredAt: "date" }, id: "int" },
    ];
    for (const list of lists) {
      for (const [sort, type] of Object.entries(list.sorts)) {
        const forged = [
          ...hostileValues[type].map((value) => cursor(sort, value, validId[list.id])),
          ...hostileIds[list.id].map((id) => cursor(sort, validValue[type], id)),
        ];
        for (const forgedCursor of forged) {
          const url = `${list.path}?sort=${sort}&order=desc&cursor=${forgedCursor}`;
          const what = `${url} (${Buffer.from(forgedCursor, "base64url").toString().slice(0, 120)})`;
          expectRefused(await rest(url, { token: list.token }), what);
        }
        // The same cursor with values its column holds is accepted: the refusals above are about them.
        const fine = cursor(sort, validValue[type], validId[list.id]);
        const answer = await rest(`${list.path}?sort=${sort}&order=desc&cursor=${fine}`, {
          token: list.token,
        });
        expect({ list: list.path, sort, status: answer.status }).toEqual({
          list: list.path,
          sort,
          status: 200,
        });
      }
    }
  });
});

describe("JSON nested too deep", () => {
  test("is 400 on /api/v1 before anything walks it, signed in or not", async () => {
    const deep = `${"[".repeat(50_000)}${"]".repeat(50_000)}`;
    const login = await rest("/auth/login", { body: `{"email":"a@example.dz","password":${deep}}` });
    expectRefused(login, "POST /auth/login 50,000 deep");
    expect(login.body.message).toMatch(/nested deeper than 32 levels/);
    const shallow = await rest("/auth/login", {
      body: `{"email":"a@example.dz","password":${"[".repeat(20)}${"]".repeat(20)}}`,
    });
    expectRefused(shallow, "POST /auth/login 20 deep");
    expect(shallow.body.message).toMatch(/^Invalid input: password/);
  });
});

describe("an empty change", () => {
  test("PATCH with no field to change is 400 on every change route", async () => {
    const admin = await tokenOf((await makeUser(server.handle.db, { role: "ADMIN" })).email);
    const { user: patientUser, patient } = await makePatient(server.handle.db);
    const patientToken = await tokenOf(patientUser.email);
    const { doctor, user: doctorUser } = await makeDoctor(server.handle.db);
    const doctorToken = await tokenOf(doctorUser.email);
    const specialty = await rest("/doctors/specialties", {
      token: admin,
      body: JSON.stringify({ name: `Néphrologie ${Date.now()}` }),
    });
    const changes: { path: string; token: string; body: unknown }[] = [
      { path: "/users/me", token: patientToken, body: {} },
      { path: `/users/${patientUser.id}`, token: admin, body: {} },
      { path: "/patients/me", token: patientToken, body: {} },
      { path: "/patients/me", token: patientToken, body: { clinical: {} } },
      { path: `/patients/${patient.id}`, token: admin, body: {} },
      { path: "/doctors/me/profile", token: doctorToken, body: {} },
      { path: `/doctors/${doctor.id}`, token: admin, body: {} },
      { path: `/doctors/specialties/${specialty.body.data.id}`, token: admin, body: {} },
    ];
    for (const change of changes) {
      const res = await rest(change.path, {
        method: "PATCH",
        token: change.token,
        body: JSON.stringify(change.body),
      });
      expectRefused(res, `PATCH ${change.path} ${JSON.stringify(change.body)}`);
      expect(res.body.message).toContain("Send at least one field to change");
    }
  });
});
