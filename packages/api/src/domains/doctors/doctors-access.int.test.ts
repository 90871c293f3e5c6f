import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Deps } from "#platform/deps.ts";
import { type Caller, callerFor } from "#testing/caller.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser, TEST_PASSWORD } from "#testing/factories/users.ts";

let handle: TestDatabase;
let deps: Deps;
beforeAll(async () => {
  handle = await openFileDatabase();
  deps = makeTestDeps(handle);
});
afterAll(() => handle.close());

type Who = "anonymous" | "patient" | "ownerDoctor" | "otherDoctor" | "staff" | "admin";
type Verdict = "ok" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT";

interface World {
  doctorId: string;
  specialtyId: string;
  reviewId: string;
}

const signIn = async (email: string) =>
  callerFor(deps, {
    accessToken: (await callerFor(deps).auth.login({ email, password: TEST_PASSWORD })).accessToken,
  });

/** Every protected doctors route, and what each kind of caller must get. */
const table: {
  name: string;
  call: (c: Caller, w: World) => Promise<unknown>;
  expect: Record<Who, Verdict>;
}[] = [
  {
    name: "GET /doctors/me/profile",
    // Self-scoped: another doctor gets their own profile, never this one (checked below).
    call: async (c, w) => {
      const profile = await c.doctors.myProfile();
      if (profile.id !== w.doctorId) throw Object.assign(new Error("another profile"), { code: "NOT_FOUND" });
      return profile;
    },
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "FORBIDDEN",
      ownerDoctor: "ok",
      otherDoctor: "NOT_FOUND",
      staff: "FORBIDDEN",
      admin: "FORBIDDEN",
    },
  },
  {
    name: "PATCH /doctors/{id}",
    call: (c, w) => c.doctors.update({ id: w.doctorId, bio: "changed" }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "FORBIDDEN",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "ok",
    },
  },
  {
    name: "POST /doctors/specialties",
    call: (c) => c.doctors.createSpecialty({ name: `Table ${Math.random()}` }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "FORBIDDEN",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "ok",
    },
  },
  {
    name: "DELETE /doctors/specialties/{id} (in use)",
    call: (c, w) => c.doctors.deleteSpecialty({ id: w.specialtyId }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "FORBIDDEN",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "CONFLICT",
    },
  },
  {
    name: "POST /doctors/{id}/favorite",
    call: (c, w) => c.doctors.addFavorite({ id: w.doctorId }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "ok",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "FORBIDDEN",
    },
  },
  {
    name: "GET /doctors/me/favorites",
    call: (c) => c.doctors.myFavorites({ limit: 5 }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "ok",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "FORBIDDEN",
    },
  },
  {
    name: "POST /doctors/{id}/reviews",
    call: (c, w) => c.doctors.saveReview({ id: w.doctorId, rating: 4 }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "ok",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "FORBIDDEN",
    },
  },
  {
    name: "GET /doctors/admin/reviews",
    call: (c) => c.doctors.moderationList({ limit: 5 }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "FORBIDDEN",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "ok",
    },
  },
  {
    name: "DELETE /doctors/admin/reviews/{id}",
    call: (c, w) => c.doctors.hideReview({ id: w.reviewId, reason: "Table test" }),
    expect: {
      anonymous: "UNAUTHORIZED",
      patient: "FORBIDDEN",
      ownerDoctor: "FORBIDDEN",
      otherDoctor: "FORBIDDEN",
      staff: "FORBIDDEN",
      admin: "ok",
    },
  },
];

describe.each(table)("$name", ({ call, expect: verdicts }) => {
  test.each(Object.keys(verdicts) as Who[])("as %s", async (who) => {
    const specialty = await makeSpecialty(handle.db);
    const owner = await makeDoctor(handle.db, { specialtyIds: [specialty.id] });
    const other = await makeDoctor(handle.db);
    const author = await makePatient(handle.db);
    const review = await (await signIn(author.user.email)).doctors.saveReview({
      id: owner.doctor.id,
      rating: 3,
    });
    const world: World = { doctorId: owner.doctor.id, specialtyId: specialty.id, reviewId: review.id };
    const callers: Record<Who, () => Promise<Caller>> = {
      anonymous: async () => callerFor(deps),
      patient: async () => signIn((await makePatient(handle.db)).user.email),
      ownerDoctor: () => signIn(owner.user.email),
      otherDoctor: () => signIn(other.user.email),
      staff: async () => signIn((await makeUser(handle.db, { role: "STAFF" })).email),
      admin: async () => signIn((await makeUser(handle.db, { role: "ADMIN" })).email),
    };
    const outcome = await call(await callers[who](), world).then(
      () => "ok",
      (error: { code?: string }) => error.code,
    );
    expect(outcome).toBe(verdicts[who]);
  });
});
