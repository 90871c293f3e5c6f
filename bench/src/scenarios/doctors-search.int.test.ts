import { callerFor, makeDoctor, makeSpecialty, makeTestDeps } from "@medical/api/testing";
import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BareRoute } from "../scenario.ts";
import { bareGet, queryOn, tokensOf, wire } from "../twin-testing.ts";
import { doctorsSearch, README_FILTERS } from "./doctors-search.ts";

/**
 * The bare twin is a baseline only if it answers what the server answers: the same items, totals
 * and cursors (each side walks its own), page after page, for every sort and the mix's filters.
 */
let handle: TestDatabase;
beforeAll(async () => {
  handle = await openFileDatabase();
  const cardiology = await makeSpecialty(handle.db, "Cardiologie");
  const other = await makeSpecialty(handle.db, "Pédiatrie");
  for (let i = 0; i < 30; i++) {
    await makeDoctor(handle.db, {
      city: ["Alger", "Oran", "Béjaïa"][i % 3],
      languages: i % 2 === 0 ? ["ar", "fr"] : ["kab", "fr"],
      ratingAverage: [4.5, 3, 4.5, 5, 1][i % 5],
      yearsOfExperience: i % 7,
      feeAmountMinor: 100_000 + (i % 4) * 10_000,
      specialtyIds: i % 2 === 0 ? [cardiology.id] : [cardiology.id, other.id],
      user: { lastName: i % 4 === 0 ? `Haddad ${i}` : `Benali ${i}` },
    });
  }
}, 60_000);
afterAll(() => handle.close());

// The search is public: the twin checks no token.
const twin = { query: queryOn(() => handle.db), tokens: tokensOf("no token is checked by the search twin") };

function route(path: string): BareRoute {
  const found = doctorsSearch.bare.find((r) => r.path === path);
  if (!found) throw new Error(`no bare route ${path}`);
  return found;
}

const bare = (path: string) => bareGet(route(new URL(path, "http://127.0.0.1").pathname), twin, path);

/** `&key=value` of a test row, as the procedure's input (numbers where the schema wants them). */
const filterOf = (filters: string) =>
  Object.fromEntries(
    [...new URLSearchParams(filters)].map(([key, value]) => [
      key,
      key === "minRating" || key === "maxFee" ? Number(value) : value,
    ]),
  );

describe("the doctors.search bare twin", () => {
  test.each([
    ["rating", "desc", ""],
    ["name", "asc", ""],
    ["experience", "desc", "&city=Alger"],
    ["fee", "asc", "&q=haddad"],
    ["rating", "desc", "&specialty=cardio"],
    ["name", "asc", "&specialty=diatr&city=oran"],
    ["rating", "desc", `&${README_FILTERS.replace(/&?(sort|order)=\w+/g, "")}`],
  ] as const)("sort=%s order=%s%s: the server's pages, totals and cursors", async (sort, order, filters) => {
    const server = callerFor(makeTestDeps(handle));
    let cursor: string | null | undefined;
    for (let page = 0; page < 10; page++) {
      const path = `/api/v1/doctors?sort=${sort}&order=${order}&limit=4${filters}${cursor ? `&cursor=${cursor}` : ""}`;
      const fromBare = await bare(path);
      expect(fromBare.status).toBe(200);
      const expected = await server.doctors.search({
        sort,
        order,
        limit: 4,
        ...filterOf(filters),
        cursor: cursor ?? undefined,
      });
      expect(fromBare.body).toEqual({ success: true, data: wire(expected), message: null });
      cursor = expected.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
  });

  test("a specialty id from the twin's list filters like the server's", async () => {
    const listed = await bare("/api/v1/doctors/specialties?limit=100");
    const { items } = (listed.body as { data: { items: { id: string; name: string }[] } }).data;
    const cardiology = items.find((s) => s.name === "Cardiologie");
    const answer = await bare(`/api/v1/doctors?city=Alger&specialtyId=${cardiology?.id}`);
    const expected = await callerFor(makeTestDeps(handle)).doctors.search({
      city: "Alger",
      specialtyId: cardiology?.id,
    });
    expect(answer.body).toEqual({ success: true, data: wire(expected), message: null });
    expect(expected.total).toBe(10);
  });

  test("a tampered cursor is a 400, as on the server", async () => {
    expect((await bare("/api/v1/doctors?cursor=tampered")).status).toBe(400);
  });
});
