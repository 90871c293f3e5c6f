import { favorites, type User } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { anonymous, type KnowsAccounts, newAccount, newDoctor, remembered } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { signIn } from "#testing/sign-in.ts";

/** Every favourites route is for patients, each on their own list. */
const patientsOnly = { owner: "ok", otherSameRole: "ok" } as const;

interface World extends KnowsAccounts {
  doctorId: string;
  owner: User;
  /** The doctors in the owner's favourites, read straight from the table. */
  ownerFavorites(): Promise<string[]>;
}

/**
 * The owner is a patient whose favourites hold the doctor; the other patient has a profile and no
 * favourite. Every favourites route is about the caller's own list: the cases check that the
 * other patient neither sees nor changes the owner's.
 */
export const accessTable = defineAccessTable({
  domain: "favorites",
  async world(deps): Promise<World> {
    const { doctor } = await makeDoctor(deps.db);
    const { patient, user: owner } = await makePatient(deps.db);
    await deps.db.insert(favorites).values({ patientId: patient.id, doctorId: doctor.id });
    const ownerFavorites = async () =>
      (
        await deps.db
          .select({ id: favorites.doctorId })
          .from(favorites)
          .where(eq(favorites.patientId, patient.id))
      ).map((row) => row.id);
    return { doctorId: doctor.id, owner, ownerFavorites, accountOf: new Map() };
  },
  callers: {
    anonymous,
    owner: remembered((deps, world) => signIn(deps, world.owner)),
    otherSameRole: remembered(async (deps) => signIn(deps, (await makePatient(deps.db)).user)),
    doctor: newDoctor,
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "favorites.list",
      name: "lists the caller's own favourites only",
      async call(caller, world) {
        const listed = (await caller.favorites.list({})).items.map((doctor) => doctor.id);
        const own = world.accountOf.get(caller)?.id === world.owner.id ? [world.doctorId] : [];
        if (JSON.stringify(listed) !== JSON.stringify(own))
          throw new Error("GET /doctors/me/favorites listed another patient's favourites");
      },
      expect: patientsOnly,
    },
    {
      procedure: "favorites.add",
      call: (caller, world) => caller.favorites.add({ id: world.doctorId }),
      expect: patientsOnly,
    },
    {
      procedure: "favorites.remove",
      name: "changes the caller's own favourites only",
      async call(caller, world) {
        await caller.favorites.remove({ id: world.doctorId });
        const isOwner = world.accountOf.get(caller)?.id === world.owner.id;
        if ((await world.ownerFavorites()).includes(world.doctorId) === isOwner)
          throw new Error(
            "DELETE /doctors/{id}/favorite removed another patient's favourite, or not the caller's",
          );
      },
      expect: patientsOnly,
    },
  ],
});
