import type { User } from "@medical/db/schema";
import { defineAccessTable } from "#testing/access-table.ts";
import { type Caller, callerFor } from "#testing/caller.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

const adminOnly = {
  anonymous: "UNAUTHORIZED",
  owner: "FORBIDDEN",
  otherSameRole: "FORBIDDEN",
  doctor: "FORBIDDEN",
  staff: "FORBIDDEN",
  admin: "ok",
} as const;

interface World {
  doctorId: string;
  author: User;
  reviewId: string;
  /** Whose account each patient caller signed in to. */
  accountOf: Map<Caller, User>;
}

/** The owner is the patient who reviewed the doctor; the other patient has a profile and no review. */
export const accessTable = defineAccessTable({
  domain: "reviews",
  async world(deps): Promise<World> {
    const { doctor } = await makeDoctor(deps.db);
    const { user: author } = await makePatient(deps.db);
    const review = await (await signIn(deps, author)).caller.reviews.save({ id: doctor.id, rating: 3 });
    return { doctorId: doctor.id, author, reviewId: review.id, accountOf: new Map() };
  },
  callers: {
    anonymous: async (deps) => callerFor(deps),
    owner: async (deps, world) => {
      const { caller } = await signIn(deps, world.author);
      world.accountOf.set(caller, world.author);
      return caller;
    },
    otherSameRole: async (deps, world) => {
      const { user } = await makePatient(deps.db);
      const { caller } = await signIn(deps, user);
      world.accountOf.set(caller, user);
      return caller;
    },
    doctor: async (deps) => (await signIn(deps, (await makeDoctor(deps.db)).user)).caller,
    staff: async (deps) => (await signInAs(deps, "STAFF")).caller,
    admin: async (deps) => (await signInAs(deps, "ADMIN")).caller,
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
      expect: {
        anonymous: "UNAUTHORIZED",
        owner: "ok",
        otherSameRole: "ok",
        doctor: "FORBIDDEN",
        staff: "FORBIDDEN",
        admin: "FORBIDDEN",
      },
    },
    {
      procedure: "reviews.moderationList",
      async call(caller, world) {
        const page = await caller.reviews.moderationList({ doctorId: world.doctorId });
        if (!page.items.some((review) => review.id === world.reviewId))
          throw new Error("moderation misses a review");
      },
      expect: adminOnly,
    },
    {
      procedure: "reviews.hide",
      call: (caller, world) => caller.reviews.hide({ id: world.reviewId, reason: "Table test" }),
      expect: adminOnly,
    },
    {
      procedure: "reviews.hide",
      name: "an id that does not exist",
      call: (caller) => caller.reviews.hide({ id: crypto.randomUUID(), reason: "Table test" }),
      expect: { ...adminOnly, admin: "NOT_FOUND" },
    },
  ],
});
