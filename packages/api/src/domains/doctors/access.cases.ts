import { anonymous, newAccount, newPatient } from "#testing/access-callers.ts";
import { defineAccessTable } from "#testing/access-table.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";
import { makeUser } from "#testing/factories/users.ts";
import { signIn } from "#testing/sign-in.ts";

/**
 * The owner is a DOCTOR with a profile; the other doctor has an account but no profile yet, so a
 * "me" route that answered someone else's profile would show as "ok" instead of the service's own
 * NOT_FOUND. A spare DOCTOR account awaits an admin-created profile; a deactivated doctor is
 * still the admins' to edit.
 */
export const accessTable = defineAccessTable({
  domain: "doctors",
  async world(deps) {
    const specialty = await makeSpecialty(deps.db);
    const owner = await makeDoctor(deps.db, { specialtyIds: [specialty.id] });
    const inactive = await makeDoctor(deps.db, { isActive: false });
    const spareAccount = await makeUser(deps.db, { role: "DOCTOR" });
    return {
      owner: owner.user,
      doctorId: owner.doctor.id,
      inactiveDoctorId: inactive.doctor.id,
      spareAccountId: spareAccount.id,
      profile: { city: "Oran", fee: { amountMinor: 250_000, currency: "DZD" }, specialtyIds: [specialty.id] },
    };
  },
  callers: {
    anonymous,
    owner: async (deps, world) => (await signIn(deps, world.owner)).caller,
    otherSameRole: newAccount("DOCTOR"),
    patient: newPatient,
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "doctors.myProfile",
      async call(caller, world) {
        const profile = await caller.doctors.myProfile();
        if (profile.id !== world.doctorId)
          throw new Error("GET /doctors/me/profile answered another profile");
      },
      expect: { owner: "ok", otherSameRole: "NOT_FOUND" },
    },
    {
      procedure: "doctors.createMyProfile",
      call: (caller, world) => caller.doctors.createMyProfile(world.profile),
      expect: { owner: "CONFLICT", otherSameRole: "ok" },
    },
    {
      procedure: "doctors.updateMyProfile",
      async call(caller, world) {
        const profile = await caller.doctors.updateMyProfile({ bio: "Changed" });
        if (profile.id !== world.doctorId)
          throw new Error("PATCH /doctors/me/profile changed another profile");
      },
      expect: { owner: "ok", otherSameRole: "NOT_FOUND" },
    },
    {
      procedure: "doctors.create",
      name: "for a DOCTOR account without a profile",
      call: (caller, world) => caller.doctors.create({ ...world.profile, userId: world.spareAccountId }),
      expect: { admin: "ok" },
    },
    {
      procedure: "doctors.create",
      name: "for the owner's account, which has one",
      call: (caller, world) => caller.doctors.create({ ...world.profile, userId: world.owner.id }),
      expect: { admin: "CONFLICT" },
    },
    {
      procedure: "doctors.update",
      call: (caller, world) => caller.doctors.update({ id: world.doctorId, bio: "Changed" }),
      expect: { admin: "ok" },
    },
    {
      procedure: "doctors.update",
      name: "a deactivated profile",
      call: (caller, world) => caller.doctors.update({ id: world.inactiveDoctorId, bio: "Changed" }),
      expect: { admin: "ok" },
    },
    {
      procedure: "doctors.delete",
      call: (caller, world) => caller.doctors.delete({ id: world.doctorId }),
      expect: { admin: "ok" },
    },
    {
      procedure: "doctors.delete",
      name: "an id that does not exist",
      call: (caller) => caller.doctors.delete({ id: crypto.randomUUID() }),
      expect: { admin: "NOT_FOUND" },
    },
  ],
});
