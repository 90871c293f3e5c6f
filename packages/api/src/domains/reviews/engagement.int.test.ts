import type { TestDatabase } from "@medical/db/testing";
import { openFileDatabase } from "@medical/db/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Deps } from "#platform/deps.ts";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser, TEST_PASSWORD } from "#testing/factories/users.ts";
import { mayReview } from "./reviews.service.ts";

let handle: TestDatabase;
let deps: Deps;
beforeAll(async () => {
  handle = await openFileDatabase();
  deps = makeTestDeps(handle);
});
afterAll(() => handle.close());

async function signIn(email: string) {
  const session = await callerFor(deps).auth.login({ email, password: TEST_PASSWORD });
  return callerFor(deps, { accessToken: session.accessToken });
}

async function patient(overrides: Parameters<typeof makePatient>[1] = {}) {
  const made = await makePatient(handle.db, overrides);
  return { ...made, caller: await signIn(made.user.email) };
}

describe("favourites", () => {
  test("are idempotent, listed newest first, and drop deactivated doctors", async () => {
    const { caller } = await patient();
    const first = await makeDoctor(handle.db);
    const second = await makeDoctor(handle.db);
    await caller.doctors.addFavorite({ id: first.doctor.id });
    await caller.doctors.addFavorite({ id: first.doctor.id });
    await caller.doctors.addFavorite({ id: second.doctor.id });
    const page = await caller.doctors.myFavorites({ limit: 1 });
    expect(page.items.map((d) => d.id)).toEqual([second.doctor.id]);
    const next = await caller.doctors.myFavorites({ limit: 1, cursor: page.nextCursor ?? "" });
    expect(next.items.map((d) => d.id)).toEqual([first.doctor.id]);

    await caller.doctors.removeFavorite({ id: second.doctor.id });
    await caller.doctors.removeFavorite({ id: second.doctor.id });
    const admin = await signIn((await makeUser(handle.db, { role: "ADMIN" })).email);
    await admin.doctors.delete({ id: first.doctor.id });
    expect((await caller.doctors.myFavorites({ limit: 10 })).items).toEqual([]);
  });

  test("need a patient profile (PROFILE_REQUIRED), a patient role (FORBIDDEN) and a real doctor (NOT_FOUND)", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const withoutProfile = await signIn((await makeUser(handle.db, { role: "PATIENT" })).email);
    await expect(withoutProfile.doctors.addFavorite({ id: doctor.id })).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "PROFILE_REQUIRED" },
    });
    const staff = await signIn((await makeUser(handle.db, { role: "STAFF" })).email);
    await expect(staff.doctors.addFavorite({ id: doctor.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(deps).doctors.myFavorites({ limit: 5 })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    const { caller } = await patient();
    await expect(caller.doctors.addFavorite({ id: crypto.randomUUID() })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("reviews", () => {
  test("one per patient: a second POST replaces it, and the rating follows", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const { caller } = await patient();
    const created = await caller.doctors.saveReview({ id: doctor.id, rating: 2, comment: "Long wait" });
    const replaced = await caller.doctors.saveReview({
      id: doctor.id,
      rating: 4,
      comment: "Better this time",
    });
    expect(replaced.id).toBe(created.id);
    const { caller: other } = await patient();
    await other.doctors.saveReview({ id: doctor.id, rating: 5 });
    const publicView = await callerFor(deps).doctors.get({ id: doctor.id });
    expect(publicView.rating).toEqual({ average: 4.5, count: 2 });
    const list = await callerFor(deps).doctors.reviews({ id: doctor.id, limit: 10 });
    expect(list.items.map((r) => r.rating).sort()).toEqual([4, 5]);
  });

  test("show 'Verified patient' unless the patient chose to show a first name and initial", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const { caller: shy } = await patient({ user: { firstName: "Amina", lastName: "Benali" } });
    const { caller: open } = await patient({
      showNameOnReviews: true,
      user: { firstName: "Yacine", lastName: "Khelifi" },
    });
    await shy.doctors.saveReview({ id: doctor.id, rating: 5 });
    await open.doctors.saveReview({ id: doctor.id, rating: 4 });
    const names = (await callerFor(deps).doctors.reviews({ id: doctor.id, limit: 10 })).items
      .map((r) => r.reviewer)
      .sort();
    expect(names).toEqual(["Verified patient", "Yacine K."]);
    expect(JSON.stringify(await callerFor(deps).doctors.reviews({ id: doctor.id, limit: 10 }))).not.toContain(
      "Benali",
    );
  });

  test("only patients review; ratings stay in 1–5 and comments within 2,000 characters", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const doctorCaller = await signIn((await makeUser(handle.db, { role: "DOCTOR" })).email);
    await expect(doctorCaller.doctors.saveReview({ id: doctor.id, rating: 5 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const { caller } = await patient();
    for (const bad of [{ rating: 0 }, { rating: 6 }, { rating: 3, comment: "x".repeat(2001) }]) {
      await expect(caller.doctors.saveReview({ id: doctor.id, ...bad })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
  });

  test("pass through one gate that scheduling will tighten", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const { patient: row } = await makePatient(handle.db);
    expect(await mayReview(deps, row, doctor.id)).toBe(true);
  });

  test("moderation hides with a reason, recomputes the rating and keeps the review for admins", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const { caller, patient: author } = await patient();
    const review = await caller.doctors.saveReview({ id: doctor.id, rating: 1, comment: "Insulting text" });
    const { caller: fair } = await patient();
    await fair.doctors.saveReview({ id: doctor.id, rating: 5 });
    const admin = await signIn((await makeUser(handle.db, { role: "ADMIN" })).email);
    await admin.doctors.hideReview({ id: review.id, reason: "Insults" });
    expect((await callerFor(deps).doctors.get({ id: doctor.id })).rating).toEqual({ average: 5, count: 1 });
    const visible = await callerFor(deps).doctors.reviews({ id: doctor.id, limit: 10 });
    expect(visible.items.map((r) => r.id)).not.toContain(review.id);
    const moderated = await admin.doctors.moderationList({ doctorId: doctor.id, hidden: "true", limit: 10 });
    expect(moderated.items).toEqual([
      expect.objectContaining({
        id: review.id,
        patientId: author.id,
        hidden: expect.objectContaining({ reason: "Insults" }),
      }),
    ]);
    const staff = await signIn((await makeUser(handle.db, { role: "STAFF" })).email);
    await expect(staff.doctors.moderationList({ limit: 5 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.doctors.hideReview({ id: crypto.randomUUID(), reason: "None" })).rejects.toMatchObject(
      { code: "NOT_FOUND" },
    );
  });

  test("concurrent reviews keep the rating exact", async () => {
    const { doctor } = await makeDoctor(handle.db);
    const reviewers = await Promise.all(Array.from({ length: 6 }, () => patient()));
    await Promise.all(
      reviewers.map(({ caller }, i) => caller.doctors.saveReview({ id: doctor.id, rating: (i % 5) + 1 })),
    );
    const { rating } = await callerFor(deps).doctors.get({ id: doctor.id });
    expect(rating.count).toBe(6);
    expect(rating.average).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 1) / 6, 2);
  });
});
