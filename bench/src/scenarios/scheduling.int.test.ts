import { callerFor, makeTestDeps } from "@medical/api/testing";
import { users } from "@medical/db/schema";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { and, eq, like } from "drizzle-orm";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BareRequest, BareRoute } from "../scenario.ts";
import { queryOn, tokensOf } from "../twin-testing.ts";
import { appointmentsBook, doctorsSlots } from "./scheduling.ts";

/**
 * The bare twin is a baseline only if it answers what the server answers: the same slots for the
 * seeded doctor, and a booking that refuses a taken slot.
 */
let handle: TestDatabase;
beforeAll(async () => {
  handle = await openFileDatabase();
  await doctorsSlots.data?.seed(handle.db);
  await appointmentsBook.data?.seed(handle.db);
}, 120_000);
afterAll(() => handle.close());

const query = queryOn(() => handle.db);

const tokens = tokensOf("a-test-secret-of-the-bare-twin-32chars");

function request(route: BareRoute, url: URL, extra: Partial<BareRequest> = {}): BareRequest {
  const params = Object.fromEntries(
    route.path
      .split("/")
      .map((segment, i) => [segment, url.pathname.split("/")[i] ?? ""] as const)
      .filter(([segment]) => segment.startsWith(":"))
      .map(([segment, value]) => [segment.slice(1), value]),
  );
  return {
    query,
    // Inside a transaction, the transaction's statements (PGlite has one connection).
    transaction: (work) => handle.db.transaction((tx) => work(queryOn(() => tx))),
    url,
    params,
    headers: {},
    body: undefined,
    tokens,
    ...extra,
  };
}

describe("the bare twin of the scheduling scenarios", () => {
  test("answers the slots the server answers", async () => {
    const [target] = await (doctorsSlots.setup?.({
      baseUrl: "",
      getJson: async () => null,
      postJson: async () => null,
    }) ?? []);
    const url = new URL(target?.path ?? "", "http://127.0.0.1");
    const [route] = doctorsSlots.bare;
    if (!route) throw new Error("no bare slots route");
    const bare = await route.handle(request(route, url));
    const id = url.pathname.split("/")[4] ?? "";
    const ours = await callerFor(makeTestDeps(handle)).availability.slots({
      id,
      from: url.searchParams.get("from") ?? "",
      to: url.searchParams.get("to") ?? "",
    });
    expect(bare.status).toBe(200);
    expect(JSON.parse(JSON.stringify(bare.body))).toEqual({
      success: true,
      data: JSON.parse(JSON.stringify(ours)),
      message: null,
    });
    const days = ours.days.filter((day) => day.slots.length > 0);
    expect(days.length).toBeGreaterThan(15);
  });

  test("books a slot once: the same slot again is 409 SLOT_TAKEN", async () => {
    const [route] = appointmentsBook.bare;
    if (!route) throw new Error("no bare booking route");
    const patients = await handle.db
      .select({ id: users.id })
      .from(users)
      .where(and(like(users.email, "bench-race-%"), eq(users.role, "PATIENT")))
      .limit(2);
    expect(patients).toHaveLength(2);
    const startsAt = new Date(
      `${new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)}T10:00:00+01:00`,
    );
    const book = async (userId: string) => {
      const token = await new SignJWT({ sid: crypto.randomUUID(), role: "PATIENT" })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(userId)
        .setIssuer(tokens.issuer)
        .setAudience(tokens.audience)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(tokens.key);
      return route.handle(
        request(route, new URL("http://127.0.0.1/api/v1/appointments"), {
          headers: { authorization: `Bearer ${token}` },
          body: { doctorId: "b3ec4a10-5107-4c0d-9a1e-000000000002", startsAt: startsAt.toISOString() },
        }),
      );
    };
    const [first, second] = patients;
    expect(await book(first?.id ?? "")).toMatchObject({ status: 201 });
    expect(await book(second?.id ?? "")).toMatchObject({
      status: 409,
      body: { error: { code: "SLOT_TAKEN" } },
    });
  });
});
