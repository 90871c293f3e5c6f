import { appRouter, createFieldCipher } from "@medical/api";
import {
  makeAppointment,
  makeBillingEntry,
  makeClaim,
  makeDoctor,
  makePatient,
  makePolicy,
  makeUser,
  TEST_ENCRYPTION_KEY,
} from "@medical/api/testing";
import { createMedicalClient, memoryTokenStore } from "@medical/sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type RestAnswer, restClient } from "./support/rest.ts";
import { clientWebSocket, startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
});
afterAll(() => server.close());

const { rest, tokenOf } = restClient(() => server.url);
const cipher = createFieldCipher([TEST_ENCRYPTION_KEY]);
const idsOf = (answer: RestAnswer): string[] => answer.body.data.items.map((item: { id: string }) => item.id);

/** The callers of issue 17's access matrix. */
const CALLERS = ["anonymous", "owner", "otherPatient", "doctor", "otherDoctor", "staff", "admin"] as const;
type Who = (typeof CALLERS)[number];

/** The owner's billing: an appointment with the doctor who treats them, an entry, a policy, a claim. */
interface World {
  patientId: string;
  appointmentId: string;
  entryId: string;
  policyId: string;
  claimId: string;
  tokens: Record<Exclude<Who, "anonymous">, string>;
}

/** Callers that own nothing of any world, signed in once. */
let strangers: Pick<World["tokens"], "otherPatient" | "otherDoctor" | "staff" | "admin">;
beforeAll(async () => {
  const db = server.handle.db;
  strangers = {
    otherPatient: await tokenOf((await makePatient(db)).user.email),
    otherDoctor: await tokenOf((await makeDoctor(db)).user.email),
    staff: await tokenOf((await makeUser(db, { role: "STAFF" })).email),
    admin: await tokenOf((await makeUser(db, { role: "ADMIN" })).email),
  };
});

async function world(): Promise<World> {
  const db = server.handle.db;
  const { patient, user } = await makePatient(db);
  const doctor = await makeDoctor(db);
  const appointment = await makeAppointment(db, { doctorId: doctor.doctor.id, patientId: patient.id });
  const entry = await makeBillingEntry(db, { patientId: patient.id, appointmentId: appointment.id, cipher });
  const policy = await makePolicy(db, { patientId: patient.id, cipher });
  const claim = await makeClaim(db, { policyId: policy.id, billingEntryId: entry.id, cipher });
  return {
    patientId: patient.id,
    appointmentId: appointment.id,
    entryId: entry.id,
    policyId: policy.id,
    claimId: claim.id,
    tokens: { owner: await tokenOf(user.email), doctor: await tokenOf(doctor.user.email), ...strangers },
  };
}

interface RouteCase {
  route: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path(w: World): string;
  body?(w: World): unknown;
  /** Statuses that differ from the default: 401 anonymous, 403 anyone else. */
  expect: Partial<Record<Who, number>>;
  /** For a list: the callers whose 200 shows the owner's row (the others' is empty). */
  sees?: Who[];
}

const parties = { owner: 200, otherPatient: 404, doctor: 200, otherDoctor: 404, staff: 200, admin: 200 };
const seers: Who[] = ["owner", "doctor", "staff", "admin"];

const ROUTES: RouteCase[] = [
  {
    route: "GET /billing",
    method: "GET",
    path: (w) => `/billing?patientId=${w.patientId}`,
    expect: { doctor: 200, otherDoctor: 200, staff: 200, admin: 200 },
    sees: ["doctor", "staff", "admin"],
  },
  {
    route: "POST /billing",
    method: "POST",
    path: () => "/billing",
    body: (w) => ({
      patientId: w.patientId,
      appointmentId: w.appointmentId,
      amount: { amountMinor: 250_000, currency: "DZD" },
      description: "Échographie",
    }),
    expect: { staff: 201, admin: 201 },
  },
  {
    route: "GET /billing/me",
    method: "GET",
    path: () => "/billing/me",
    expect: { owner: 200, otherPatient: 200 },
    sees: ["owner"],
  },
  {
    route: "GET /billing/patient/{patientId}",
    method: "GET",
    path: (w) => `/billing/patient/${w.patientId}`,
    expect: parties,
    sees: seers,
  },
  { route: "GET /billing/{id}", method: "GET", path: (w) => `/billing/${w.entryId}`, expect: parties },
  {
    route: "PATCH /billing/{id}",
    method: "PATCH",
    path: (w) => `/billing/${w.entryId}`,
    body: () => ({ status: "PAID", paidDate: "2026-12-01" }),
    expect: { staff: 200, admin: 200 },
  },
  {
    route: "POST /billing/policies",
    method: "POST",
    path: () => "/billing/policies",
    body: (w) => ({
      patientId: w.patientId,
      provider: "CASNOS",
      // Each world's own: a provider's number belongs to one patient.
      policyNumber: `31-${w.patientId.slice(0, 8)}`,
      coveragePercent: 70,
      validFrom: "2026-01-01",
    }),
    expect: { owner: 201, staff: 201, admin: 201 },
  },
  {
    route: "GET /billing/policies/me",
    method: "GET",
    path: () => "/billing/policies/me",
    expect: { owner: 200, otherPatient: 200 },
    sees: ["owner"],
  },
  {
    route: "GET /billing/policies/patient/{patientId}",
    method: "GET",
    path: (w) => `/billing/policies/patient/${w.patientId}`,
    expect: parties,
    sees: seers,
  },
  {
    route: "PATCH /billing/policies/{id}",
    method: "PATCH",
    path: (w) => `/billing/policies/${w.policyId}`,
    body: () => ({ provider: "CAAR", validTo: null }),
    expect: { staff: 200, admin: 200 },
  },
  {
    route: "DELETE /billing/policies/{id}",
    method: "DELETE",
    path: (w) => `/billing/policies/${w.policyId}`,
    expect: { owner: 200, otherPatient: 404, staff: 200, admin: 200 },
  },
  {
    route: "POST /billing/claims",
    method: "POST",
    path: () => "/billing/claims",
    body: (w) => ({ policyId: w.policyId, billingEntryId: w.entryId, amount: { amountMinor: 5_000 } }),
    expect: { staff: 201, admin: 201 },
  },
  {
    route: "GET /billing/claims/policy/{policyId}",
    method: "GET",
    path: (w) => `/billing/claims/policy/${w.policyId}`,
    expect: parties,
    sees: seers,
  },
  {
    route: "PATCH /billing/claims/{id}",
    method: "PATCH",
    path: (w) => `/billing/claims/${w.claimId}`,
    body: () => ({ status: "REJECTED", reason: "Hors contrat" }),
    expect: { staff: 200, admin: 200 },
  },
];

describe.each(ROUTES)("$route over REST", (route) => {
  test.each(CALLERS)("as %s", async (who) => {
    const w = await world();
    const body = route.body?.(w);
    const answer = await rest(route.path(w), {
      method: route.method,
      ...(who === "anonymous" ? {} : { token: w.tokens[who] }),
      ...(body === undefined ? {} : { json: body }),
    });
    const expected = route.expect[who] ?? (who === "anonymous" ? 401 : 403);
    expect(answer.status, answer.text).toBe(expected);
    expect(answer.body.success).toBe(expected < 400);
    if (expected >= 400) {
      expect(answer.body.data).toBeNull();
      // Nothing of the owner's billing in a refusal.
      expect(answer.text).not.toContain(w.patientId);
    }
    if (route.sees && expected === 200)
      expect(idsOf(answer)).toEqual(
        route.sees.includes(who)
          ? [
              route.route.includes("claims")
                ? w.claimId
                : route.route.includes("policies")
                  ? w.policyId
                  : w.entryId,
            ]
          : [],
      );
  });
});

describe("bad input over REST: 400 or 409 with a stable code, never 500", () => {
  test("bodies, query parameters and path ids", async () => {
    const w = await world();
    const staff = w.tokens.staff;
    const cases: [string, Parameters<typeof rest>[1], number, string][] = [
      [
        "/billing",
        { json: { patientId: w.patientId, amount: { amountMinor: "100" }, description: "X" } },
        400,
        "VALIDATION_FAILED",
      ],
      [
        "/billing",
        { json: { patientId: w.patientId, amount: { amountMinor: 100 }, description: "X", status: "PAID" } },
        400,
        "VALIDATION_FAILED",
      ],
      [
        "/billing",
        { body: '{"patientId":', headers: { "content-type": "application/json" } },
        400,
        "MALFORMED_JSON",
      ],
      ["/billing/not-a-uuid", {}, 400, "VALIDATION_FAILED"],
      ["/billing/me?x=1", {}, 400, "VALIDATION_FAILED"],
      ["/billing?limit=101", {}, 400, "VALIDATION_FAILED"],
      ["/billing?status=OWED", {}, 400, "VALIDATION_FAILED"],
      ["/billing?cursor=bm90LWEtY3Vyc29y", {}, 400, "VALIDATION_FAILED"],
      [`/billing/policies/patient/${w.patientId}?isActive=maybe`, {}, 400, "VALIDATION_FAILED"],
      [
        `/billing/${w.entryId}`,
        { method: "PATCH", json: { paidDate: "2026-01-01" } },
        400,
        "VALIDATION_FAILED",
      ],
      [
        `/billing/claims/${w.claimId}`,
        { method: "PATCH", json: { status: "REJECTED" } },
        400,
        "VALIDATION_FAILED",
      ],
      [
        `/billing/claims/${w.claimId}`,
        { method: "PATCH", json: { status: "PAID" } },
        409,
        "INVALID_TRANSITION",
      ],
      [
        "/billing/policies",
        {
          json: {
            patientId: w.patientId,
            provider: "X",
            policyNumber: "1",
            coveragePercent: "80",
            validFrom: "2026-01-01",
          },
        },
        400,
        "VALIDATION_FAILED",
      ],
    ];
    for (const [path, init, status, code] of cases) {
      const answer = await rest(path, { ...init, token: staff });
      expect({ path, status: answer.status, code: answer.body.error?.code }).toEqual({ path, status, code });
    }
    const statuses = await rest(`/billing?patientId=${w.patientId}&status=UNPAID&status=PAID`, {
      token: staff,
    });
    expect(idsOf(statuses)).toEqual([w.entryId]);
  });

  test("409s of claims: over the cover with what is left, a policy not valid on the entry's date", async () => {
    const w = await world();
    const staff = w.tokens.staff;
    // The world's entry is 1,000.00 DZD at 80%, with a claim of 100.00 already: 700.00 left.
    const over = await rest("/billing/claims", {
      token: staff,
      json: { policyId: w.policyId, billingEntryId: w.entryId, amount: { amountMinor: 70_001 } },
    });
    expect(over).toMatchObject({
      status: 409,
      body: { success: false, data: { availableMinor: 70_000 }, error: { code: "CLAIM_EXCEEDS_COVERAGE" } },
    });
    const later = await makePolicy(server.handle.db, {
      patientId: w.patientId,
      cipher,
      validFrom: "2999-01-01",
    });
    const invalid = await rest("/billing/claims", {
      token: staff,
      json: { policyId: later.id, billingEntryId: w.entryId, amount: { amountMinor: 1 } },
    });
    expect(invalid).toMatchObject({ status: 409, body: { data: null, error: { code: "POLICY_NOT_VALID" } } });
    const paid = await rest(`/billing/${w.entryId}`, {
      method: "PATCH",
      token: staff,
      json: { status: "VOID" },
    });
    expect(paid).toMatchObject({ status: 409, body: { error: { code: "INVALID_TRANSITION" } } });
  });

  test("a policy number another policy holds is 409 POLICY_EXISTS, with nothing of the database or the other patient", async () => {
    const w = await world();
    const other = await world();
    const json = {
      provider: "CNAS",
      policyNumber: `55-${w.patientId.slice(0, 8)}`,
      coveragePercent: 80,
      validFrom: "2026-01-01",
    };
    const first = await rest("/billing/policies", { token: w.tokens.owner, json });
    expect(first.status).toBe(201);
    for (const [token, body] of [
      [other.tokens.owner, { ...json, policyNumber: json.policyNumber.replace("-", " ") }],
      [w.tokens.staff, { ...json, patientId: w.patientId, provider: "cnas" }],
    ] as const) {
      const taken = await rest("/billing/policies", { token, json: body });
      expect(taken).toMatchObject({
        status: 409,
        body: {
          success: false,
          data: null,
          message: "A policy with this provider and number is already registered",
          error: { code: "POLICY_EXISTS" },
        },
      });
      for (const leak of [w.patientId, first.body.data.id, "insurance_policies", "duplicate", "number_key"])
        expect(taken.text).not.toContain(leak);
    }
  });

  test("created entries answer 201 with the entry, money as { amountMinor, currency }, dates as YYYY-MM-DD", async () => {
    const w = await world();
    const created = await rest("/billing", {
      token: w.tokens.admin,
      json: {
        patientId: w.patientId,
        amount: { amountMinor: 12_345 },
        description: "Analyse",
        dueDate: "2099-12-31",
      },
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        success: true,
        message: "Bill issued",
        data: {
          amount: { amountMinor: 12_345, currency: "DZD" },
          status: "UNPAID",
          dueDate: "2099-12-31",
          issueDate: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
          createdAt: expect.stringMatching(/Z$/),
        },
      },
    });
  });
});

describe("retries with an Idempotency-Key over REST", () => {
  test("a claim retried answers the first 201 and body, marked replayed, and submits nothing more; another body is 422", async () => {
    const w = await world();
    const headers = { "idempotency-key": crypto.randomUUID() };
    const json = { policyId: w.policyId, billingEntryId: w.entryId, amount: { amountMinor: 5_000 } };
    const first = await rest("/billing/claims", { token: w.tokens.staff, json, headers });
    expect(first).toMatchObject({ status: 201, body: { success: true, message: "Claim submitted" } });
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await rest("/billing/claims", { token: w.tokens.staff, json, headers });
    expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: first.body });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const claims = await rest(`/billing/claims/policy/${w.policyId}`, { token: w.tokens.staff });
    expect(idsOf(claims).sort()).toEqual([w.claimId, first.body.data.id].sort());
    const other = await rest("/billing/claims", {
      token: w.tokens.staff,
      json: { ...json, amount: { amountMinor: 5_001 } },
      headers,
    });
    expect([other.status, other.body.error?.code]).toEqual([422, "IDEMPOTENCY_MISMATCH"]);
  });

  test("bills and policies take the header too; a malformed one is a 400 naming it", async () => {
    const w = await world();
    const headers = { "idempotency-key": crypto.randomUUID() };
    const bill = { patientId: w.patientId, amount: { amountMinor: 9_900 }, description: "Pansement" };
    const issued = await rest("/billing", { token: w.tokens.staff, json: bill, headers });
    const reissued = await rest("/billing", { token: w.tokens.staff, json: bill, headers });
    expect([issued.status, reissued.status, reissued.body.data.id]).toEqual([201, 201, issued.body.data.id]);
    const policy = {
      provider: "CAAR",
      policyNumber: `R-${w.patientId.slice(0, 8)}`,
      coveragePercent: 50,
      validFrom: "2026-01-01",
    };
    const registered = await rest("/billing/policies", { token: w.tokens.owner, json: policy, headers });
    const again = await rest("/billing/policies", { token: w.tokens.owner, json: policy, headers });
    expect([registered.status, again.status, again.body.data.id]).toEqual([
      201,
      201,
      registered.body.data.id,
    ]);
    const bad = await rest("/billing/policies", {
      token: w.tokens.owner,
      json: policy,
      headers: { "idempotency-key": "é" },
    });
    expect([bad.status, bad.body.error?.code, bad.body.error?.issues]).toEqual([
      400,
      "VALIDATION_FAILED",
      [{ path: ["Idempotency-Key"], message: expect.any(String) }],
    ]);
  });
});

describe("billing over tRPC with the SDK", () => {
  test("a treating doctor reads the entry; another doctor gets NOT_FOUND; STAFF meet CLAIM_EXCEEDS_COVERAGE with its data", async () => {
    const w = await world();
    const clientOf = (token: string) =>
      createMedicalClient({
        url: server.url,
        WebSocket: clientWebSocket,
        tokens: memoryTokenStore({ accessToken: token, refreshToken: "unused" }),
      });
    const doctor = clientOf(w.tokens.doctor);
    const other = clientOf(w.tokens.otherDoctor);
    const staff = clientOf(w.tokens.staff);
    try {
      const entry = await doctor.api.billing.get.query({ id: w.entryId });
      expect(entry).toMatchObject({
        id: w.entryId,
        description: "Consultation",
        createdAt: expect.any(Date),
      });
      await expect(other.api.billing.get.query({ id: w.entryId })).rejects.toMatchObject({
        data: { appCode: "NOT_FOUND", httpStatus: 404 },
      });
      await expect(
        staff.api.billing.claims.create.mutate({
          policyId: w.policyId,
          billingEntryId: w.entryId,
          amount: { amountMinor: 70_001 },
        }),
      ).rejects.toMatchObject({
        data: { appCode: "CLAIM_EXCEEDS_COVERAGE", httpStatus: 409, details: { availableMinor: 70_000 } },
      });
      const page = await staff.api.billing.claims.byPolicy.query({ policyId: w.policyId });
      expect(page.items.map((item) => item.id)).toEqual([w.claimId]);
    } finally {
      doctor.close();
      other.close();
      staff.close();
    }
  });
});
