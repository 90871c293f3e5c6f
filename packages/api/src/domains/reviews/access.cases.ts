import type { User } from "@medical/db/schema";
import type { Deps } from "#platform/deps.ts";
import { anonymous, type KnowsAccounts, newAccount, newDoctor, remembered } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn } from "#testing/sign-in.ts";

interface World extends KnowsAccounts {
  doctorId: string;
  author: User;
  reviewId: string;
}

/** A COMPLETED appointment of the patient with the doctor: only such a patient may review. */
const visited = (deps: Deps, doctorId: string, patientId: string) =>
  makeAppointment(deps.db, { doctorId, patientId, status: "COMPLETED" });

/**
 * The owner is the patient who reviewed the doctor; the other patient has a profile and a
 * completed visit too, and no review yet (patients without a visit: reviews.int.test.ts).
 */
export const accessTable = defineAccessTable({
  domain: "reviews",
  async world(deps): Promise<World> {
    const { doctor } = await makeDoctor(deps.db);
    const { user: author, patient } = await makePatient(deps.db);
    await visited(deps, doctor.id, patient.id);
    const review = await (await signIn(deps, author)).caller.reviews.save({ id: doctor.id, rating: 3 });
    return { doctorId: doctor.id, author, reviewId: review.id, accountOf: new Map() };
  },
  callers: {
    anonymous,
    owner: remembered((deps, world) => signIn(deps, world.author)),
    otherSameRole: remembered(async (deps, world) => {
      const { user, patient } = await makePatient(deps.db);
      await visited(deps, world.doctorId, patient.id);
      return signIn(deps, user);
    }),
    doctor: newDoctor,
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "reviews.save",
      name: "replaces the caller's own review, never the author's",
      async call(caller, world) {
        const saved = await caller.reviews.save({ id: world.doctorId, rating: 5 });
        const isAuthor = world.accountOf.get(caller)?.id === world.author.id;
        if ((saved.id === world.reviewId) !== isAuthor)
          throw new Error("POST /doctors/{id}/reviews wrote another patient's review");
      },
      expect: { owner: "ok", otherSameRole: "ok" },
    },
    {
      procedure: "reviews.moderationList",
      async call(caller, world) {
        const page = await caller.reviews.moderationList({ doctorId: world.doctorId });
        if (!page.items.some((review) => review.id === world.reviewId))
          throw new Error("moderation misses a review");
      },
      expect: { admin: "ok" },
    },
    {
      procedure: "reviews.hide",
      call: (caller, world) => caller.reviews.hide({ id: world.reviewId, reason: "Table test" }),
      expect: { admin: "ok" },
    },
    {
      procedure: "reviews.hide",
      name: "an id that does not exist",
      call: (caller) => caller.reviews.hide({ id: crypto.randomUUID(), reason: "Table test" }),
      expect: { admin: "NOT_FOUND" },
    },
  ],
});
