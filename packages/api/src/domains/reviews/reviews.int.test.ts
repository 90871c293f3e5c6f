import { selectRows } from "@medical/db";
import { reviews } from "@medical/db/schema";
import { eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeTestDeps } from "#testing/deps.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

/** A signed-in patient; with `visited`, after a COMPLETED appointment with that doctor (reviews need one). */
async function patient(overrides: Parameters<typeof makePatient>[1] = {}, visited?: string) {
  const made = await makePatient(file.db, overrides);
  if (visited)
    await makeAppointment(file.db, { doctorId: visited, patientId: made.patient.id, status: "COMPLETED" });
  return { ...made, caller: (await signIn(file.deps, made.user)).caller };
}

const reviewsOf = (doctorId: string) => file.db.$count(reviews, eq(reviews.doctorId, doctorId));

describe("reviews", () => {
  test("one per patient: a second POST replaces it, and the rating follows", async () => {
    const { doctor } = await makeDoctor(file.db);
    const { caller, patient: author } = await patient({}, doctor.id);
    const created = await caller.reviews.save({ id: doctor.id, rating: 2, comment: "Long wait" });
    const replaced = await caller.reviews.save({ id: doctor.id, rating: 4, comment: "Better this time" });
    expect(replaced.id).toBe(created.id);
    const { caller: other } = await patient({}, doctor.id);
    await other.reviews.save({ id: doctor.id, rating: 5 });
    const publicView = await callerFor(file.deps).doctors.get({ id: doctor.id });
    expect(publicView.rating).toEqual({ average: 4.5, count: 2 });
    const list = await callerFor(file.deps).reviews.list({ id: doctor.id, limit: 10 });
    expect(list.items.map((r) => r.rating).sort()).toEqual([4, 5]);
    const saved = await selectRows(
      file.db,
      sql`select action, patient_id from audit_events where target_id = ${created.id} order by id`,
    );
    expect(saved).toEqual([
      { action: "review.saved", patient_id: author.id },
      { action: "review.saved", patient_id: author.id },
    ]);
  });

  test("list newest first in pages that neither skip nor repeat", async () => {
    // A clock one second further at each reading: five reviews, five distinct times.
    let now = Date.parse("2026-11-02T08:00:00.000Z");
    const clock = {
      now: () => {
        now += 1_000;
        return new Date(now);
      },
    };
    const ticking = makeTestDeps(file.handle, { clock });
    const { doctor } = await makeDoctor(file.db);
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { user, patient: reviewer } = await makePatient(file.db);
      await makeAppointment(file.db, { doctorId: doctor.id, patientId: reviewer.id, status: "COMPLETED" });
      const { caller } = await signIn(ticking, user);
      written.push((await caller.reviews.save({ id: doctor.id, rating: 3 })).id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pageNo = 0; pageNo < 5; pageNo++) {
      const page = await callerFor(ticking).reviews.list({ id: doctor.id, limit: 2, cursor });
      seen.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...written].reverse());
  });

  test("show 'Verified patient' unless the patient chose to show a first name and initial", async () => {
    const { doctor } = await makeDoctor(file.db);
    const { caller: shy } = await patient({ user: { firstName: "Amina", lastName: "Benali" } }, doctor.id);
    const { caller: open } = await patient(
      { showNameOnReviews: true, user: { firstName: "Yacine", lastName: "Khelifi" } },
      doctor.id,
    );
    await shy.reviews.save({ id: doctor.id, rating: 5 });
    await open.reviews.save({ id: doctor.id, rating: 4 });
    const list = await callerFor(file.deps).reviews.list({ id: doctor.id, limit: 10 });
    expect(list.items.map((r) => r.reviewer).sort()).toEqual(["Verified patient", "Yacine K."]);
    expect(JSON.stringify(list)).not.toContain("Benali");
  });

  test("only after a COMPLETED visit with that doctor: a booked, cancelled or missed one, or another doctor's, is refused", async () => {
    const { doctor } = await makeDoctor(file.db);
    const { doctor: other } = await makeDoctor(file.db);
    const { caller, patient: reviewer } = await patient();
    const refused = () => caller.reviews.save({ id: doctor.id, rating: 4, comment: "Before the visit" });
    await expect(refused()).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { code: "REVIEW_REQUIRES_VISIT" },
    });
    for (const status of ["SCHEDULED", "CANCELLED", "NO_SHOW"] as const)
      await makeAppointment(file.db, { doctorId: doctor.id, patientId: reviewer.id, status });
    await makeAppointment(file.db, { doctorId: other.id, patientId: reviewer.id, status: "COMPLETED" });
    await expect(refused()).rejects.toMatchObject({ cause: { code: "REVIEW_REQUIRES_VISIT" } });
    expect(await reviewsOf(doctor.id)).toBe(0);
    expect((await callerFor(file.deps).doctors.get({ id: doctor.id })).rating).toEqual({
      average: 0,
      count: 0,
    });

    await makeAppointment(file.db, { doctorId: doctor.id, patientId: reviewer.id, status: "COMPLETED" });
    const saved = await caller.reviews.save({ id: doctor.id, rating: 4, comment: "After the visit" });
    expect(saved).toMatchObject({ doctorId: doctor.id, rating: 4 });
    expect((await callerFor(file.deps).doctors.get({ id: doctor.id })).rating).toEqual({
      average: 4,
      count: 1,
    });
  });

  test("only patients review; ratings stay in 1–5 and comments within 2,000 characters", async () => {
    const { doctor } = await makeDoctor(file.db);
    const { caller: doctorCaller } = await signInAs(file.deps, "DOCTOR");
    await expect(doctorCaller.reviews.save({ id: doctor.id, rating: 5 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    const { caller } = await patient();
    for (const bad of [{ rating: 0 }, { rating: 6 }, { rating: 3, comment: "x".repeat(2001) }]) {
      await expect(caller.reviews.save({ id: doctor.id, ...bad })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
  });

  test("need an active patient profile and a doctor the public sees; a refusal saves nothing", async () => {
    const { doctor } = await makeDoctor(file.db);
    const { caller: withoutProfile } = await signInAs(file.deps, "PATIENT");
    await expect(withoutProfile.reviews.save({ id: doctor.id, rating: 4 })).rejects.toMatchObject({
      cause: { code: "PROFILE_REQUIRED" },
    });
    const { caller: deactivated } = await patient({ isActive: false });
    await expect(deactivated.reviews.save({ id: doctor.id, rating: 4 })).rejects.toMatchObject({
      cause: { code: "PROFILE_REQUIRED" },
    });
    expect(await reviewsOf(doctor.id)).toBe(0);

    const { caller } = await patient();
    const { doctor: inactive } = await makeDoctor(file.db, { isActive: false });
    await expect(caller.reviews.save({ id: inactive.id, rating: 4 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(caller.reviews.save({ id: crypto.randomUUID(), rating: 4 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await reviewsOf(inactive.id)).toBe(0);
    await expect(callerFor(file.deps).reviews.list({ id: inactive.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  test("moderation hides with a reason, recomputes the rating and keeps the review for admins and its author", async () => {
    const { doctor } = await makeDoctor(file.db);
    const { caller, patient: author } = await patient({}, doctor.id);
    const review = await caller.reviews.save({ id: doctor.id, rating: 1, comment: "Insulting text" });
    const { caller: fair } = await patient({}, doctor.id);
    await fair.reviews.save({ id: doctor.id, rating: 5 });
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    await admin.reviews.hide({ id: review.id, reason: "Insults" });
    expect((await callerFor(file.deps).doctors.get({ id: doctor.id })).rating).toEqual({
      average: 5,
      count: 1,
    });
    const visible = await callerFor(file.deps).reviews.list({ id: doctor.id, limit: 10 });
    expect(visible.items.map((r) => r.id)).not.toContain(review.id);
    const moderated = await admin.reviews.moderationList({ doctorId: doctor.id, hidden: true, limit: 10 });
    expect(moderated.items).toEqual([
      expect.objectContaining({
        id: review.id,
        patientId: author.id,
        hidden: expect.objectContaining({ reason: "Insults" }),
      }),
    ]);
    const hidden = await selectRows(
      file.db,
      sql`select patient_id, details from audit_events where action = 'review.hidden' and target_id = ${review.id}`,
    );
    expect(hidden).toEqual([{ patient_id: author.id, details: { reason: "Insults" } }]);
    // The author may still edit their hidden review; it stays hidden.
    const edited = await caller.reviews.save({ id: doctor.id, rating: 2, comment: "Reworded" });
    expect(edited.id).toBe(review.id);
    expect((await callerFor(file.deps).doctors.get({ id: doctor.id })).rating).toEqual({
      average: 5,
      count: 1,
    });

    const { caller: staff } = await signInAs(file.deps, "STAFF");
    await expect(staff.reviews.moderationList({ limit: 5 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(admin.reviews.hide({ id: crypto.randomUUID(), reason: "None" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  test("concurrent reviews keep the rating exact", async () => {
    const { doctor } = await makeDoctor(file.db);
    const reviewers = await Promise.all(Array.from({ length: 6 }, () => patient({}, doctor.id)));
    await Promise.all(
      reviewers.map(({ caller }, i) => caller.reviews.save({ id: doctor.id, rating: (i % 5) + 1 })),
    );
    const { rating } = await callerFor(file.deps).doctors.get({ id: doctor.id });
    expect(rating.count).toBe(6);
    expect(rating.average).toBeCloseTo((1 + 2 + 3 + 4 + 5 + 1) / 6, 2);
  });
});
