import { selectRows } from "@medical/db";
import { doctors } from "@medical/db/schema";
import { eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { callerFor } from "#testing/caller.ts";
import { makeDoctor, makeSpecialty } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeUser } from "#testing/factories/users.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signIn, signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
const profile = (specialtyId: string) => ({
  city: "Oran",
  fee: { amountMinor: 250_000, currency: "DZD" },
  specialtyIds: [specialtyId],
});

const profilesOf = (userId: string) => file.db.$count(doctors, eq(doctors.userId, userId));

describe("doctor profiles", () => {
  test("a doctor creates and edits their own; the public view hides email and personal phone", async () => {
    const specialty = await makeSpecialty(file.db);
    const { caller, user } = await signInAs(file.deps, "DOCTOR");
    await expect(caller.doctors.myProfile()).rejects.toMatchObject({ code: "NOT_FOUND" });
    const created = await caller.doctors.createMyProfile({
      ...profile(specialty.id),
      clinicName: "Clinique El Amel",
      languages: ["fr", "kab"],
    });
    expect(created).toMatchObject({
      firstName: user.firstName,
      city: "Oran",
      fee: { amountMinor: 250_000, currency: "DZD" },
      rating: { average: 0, count: 0 },
    });
    await expect(caller.doctors.createMyProfile(profile(specialty.id))).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const updated = await caller.doctors.updateMyProfile({
      yearsOfExperience: 12,
      timezone: "Africa/Algiers",
    });
    expect(updated.yearsOfExperience).toBe(12);
    const publicView = await callerFor(file.deps).doctors.get({ id: created.id });
    expect(JSON.stringify(publicView)).not.toContain(user.email);
    expect(publicView).not.toHaveProperty("email");
    expect(publicView).not.toHaveProperty("phone");
  });

  test("refuses fields nobody may set and roles that may not", async () => {
    const specialty = await makeSpecialty(file.db);
    const { caller } = await signInAs(file.deps, "DOCTOR");
    for (const extra of [
      '"ratingAverage":5',
      '"isActive":false',
      '"userId":"00000000-0000-4000-8000-000000000000"',
      '"id":"00000000-0000-4000-8000-000000000000"',
    ]) {
      await expect(
        caller.doctors.createMyProfile(
          JSON.parse(`{${extra},"city":"Oran","fee":{"amountMinor":1},"specialtyIds":["${specialty.id}"]}`),
        ),
      ).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    const { caller: patient } = await signInAs(file.deps, "PATIENT");
    await expect(patient.doctors.createMyProfile(profile(specialty.id))).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // A bare offset has no daylight-saving rules (and Node 24's Intl takes it): refused too.
    for (const timezone of ["Mars/Olympus", "+01:00"])
      await expect(caller.doctors.updateMyProfile({ timezone })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
  });

  test("admins create one with an invited account; deactivated doctors disappear from reads and search", async () => {
    const specialty = await makeSpecialty(file.db);
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const email = `dr.${unique()}@example.dz`;
    const created = await admin.doctors.create({
      ...profile(specialty.id),
      email,
      firstName: "Nadia",
      lastName: `Ait-${unique()}`,
    });
    expect(created.specialties).toEqual([{ id: specialty.id, name: specialty.name }]);
    await expect(
      admin.doctors.create({ ...profile(specialty.id), email, firstName: "X", lastName: "Y" }),
    ).rejects.toMatchObject({
      cause: { code: "EMAIL_TAKEN" },
    });
    await admin.doctors.delete({ id: created.id });
    await expect(callerFor(file.deps).doctors.get({ id: created.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    const found = await callerFor(file.deps).doctors.search({ q: created.lastName, limit: 10 });
    expect(found.items).toEqual([]);
    // Admins still see and edit a deactivated profile.
    const edited = await admin.doctors.update({ id: created.id, bio: "On leave" });
    expect(edited).toMatchObject({ id: created.id, bio: "On leave" });
  });

  test("a doctor whose account is deactivated disappears from every public read", async () => {
    const specialty = await makeSpecialty(file.db);
    const lastName = `Haddad-${unique()}`;
    const { doctor, user } = await makeDoctor(file.db, { user: { lastName }, specialtyIds: [specialty.id] });
    const { caller: patient } = await signIn(file.deps, (await makePatient(file.db)).user);
    await patient.favorites.add({ id: doctor.id });
    const anonymous = callerFor(file.deps);
    const publicReads = async () => ({
      get: await anonymous.doctors.get({ id: doctor.id }).then(
        (found) => found.id,
        (error: { code?: string }) => error.code,
      ),
      search: (await anonymous.doctors.search({ q: lastName, limit: 10 })).items.map((d) => d.id),
      bySpecialty: (await anonymous.doctors.search({ specialtyId: specialty.id, limit: 10 })).items.map(
        (d) => d.id,
      ),
      reviews: await anonymous.reviews.list({ id: doctor.id, limit: 10 }).then(
        (page) => page.items.length,
        (error: { code?: string }) => error.code,
      ),
      favorites: (await patient.favorites.list({ limit: 10 })).items.map((d) => d.id),
    });
    expect(await publicReads()).toEqual({
      get: doctor.id,
      search: [doctor.id],
      bySpecialty: [doctor.id],
      reviews: 0,
      favorites: [doctor.id],
    });

    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    await admin.users.delete({ id: user.id });

    expect(await publicReads()).toEqual({
      get: "NOT_FOUND",
      search: [],
      bySpecialty: [],
      reviews: "NOT_FOUND",
      favorites: [],
    });
    // The profile itself is untouched: admins still see it.
    expect(await admin.doctors.update({ id: doctor.id, bio: "Account closed" })).toMatchObject({
      id: doctor.id,
    });
  });

  test("admins create one for an existing DOCTOR account, never for another role's", async () => {
    const specialty = await makeSpecialty(file.db);
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const account = await makeUser(file.db, { role: "DOCTOR" });
    const created = await admin.doctors.create({ ...profile(specialty.id), userId: account.id });
    expect(created.lastName).toBe(account.lastName);
    const patient = await makeUser(file.db, { role: "PATIENT" });
    await expect(
      admin.doctors.create({ ...profile(specialty.id), userId: patient.id }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await profilesOf(patient.id)).toBe(0);
  });

  test("two concurrent POST /doctors/me/profile: one profile, the other 409", async () => {
    const specialty = await makeSpecialty(file.db);
    const { caller, user } = await signInAs(file.deps, "DOCTOR");
    const results = await Promise.allSettled([
      caller.doctors.createMyProfile(profile(specialty.id)),
      caller.doctors.createMyProfile(profile(specialty.id)),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")?.reason).toMatchObject({
      code: "CONFLICT",
      message: "You already have a doctor profile",
    });
    expect(await profilesOf(user.id)).toBe(1);
  });

  test("two concurrent admin POST /doctors for one account: one profile, the other 409", async () => {
    const specialty = await makeSpecialty(file.db);
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const account = await makeUser(file.db, { role: "DOCTOR" });
    const results = await Promise.allSettled([
      admin.doctors.create({ ...profile(specialty.id), userId: account.id }),
      admin.doctors.create({ ...profile(specialty.id), userId: account.id }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")?.reason).toMatchObject({
      code: "CONFLICT",
      message: "This account already has a doctor profile",
    });
    expect(await profilesOf(account.id)).toBe(1);
  });

  test("creating, changing and deactivating a profile leave their audit events", async () => {
    const specialty = await makeSpecialty(file.db);
    const { caller: admin, user: adminUser } = await signInAs(file.deps, "ADMIN");
    const created = await admin.doctors.create({
      ...profile(specialty.id),
      email: `dr.${unique()}@example.dz`,
      firstName: "Nadia",
      lastName: "Haddad",
    });
    await admin.doctors.update({ id: created.id, bio: "Cardiologue", city: "Annaba" });
    await admin.doctors.delete({ id: created.id });
    const events = await selectRows(
      file.db,
      sql`select action, outcome, actor_id, details from audit_events where target_id = ${created.id} order by id`,
    );
    expect(events).toEqual([
      { action: "doctor.profile_created", outcome: "SUCCESS", actor_id: adminUser.id, details: null },
      {
        action: "doctor.profile_updated",
        outcome: "SUCCESS",
        actor_id: adminUser.id,
        details: { fields: "bio,city" },
      },
      { action: "doctor.deactivated", outcome: "SUCCESS", actor_id: adminUser.id, details: null },
    ]);
  });
});

describe("doctor search", () => {
  test("finds names and clinics without accents or case, by prefix under three characters", async () => {
    const marker = unique();
    const { doctor } = await makeDoctor(file.db, {
      user: { firstName: "Sélim", lastName: `Bénali${marker}` },
      clinicName: "Clinique Ibn Sina",
    });
    const anonymous = callerFor(file.deps);
    for (const q of [`benali${marker}`, `BENALI${marker.toUpperCase()}`, `selim bénali${marker}`]) {
      expect(
        (await anonymous.doctors.search({ q, limit: 10 })).items.map((d) => d.id),
        q,
      ).toEqual([doctor.id]);
    }
    const clinic = await anonymous.doctors.search({ q: "ibn sina", limit: 100 });
    expect(clinic.items.map((d) => d.id)).toContain(doctor.id);
    const short = await anonymous.doctors.search({ q: "Sé", limit: 100 });
    expect(short.items.map((d) => d.id)).toContain(doctor.id);
    const middle = await anonymous.doctors.search({ q: "li", limit: 100 });
    expect(middle.items.map((d) => d.id)).not.toContain(doctor.id);
  });

  test("filters by specialty, city, rating, language and fee", async () => {
    const marker = unique();
    const cardio = await makeSpecialty(file.db, `Cardiologie ${marker}`);
    const { doctor: match } = await makeDoctor(file.db, {
      city: "Béjaïa",
      specialtyIds: [cardio.id],
      ratingAverage: 4.5,
      ratingCount: 10,
      languages: ["kab", "fr"],
      feeAmountMinor: 300_000,
    });
    await makeDoctor(file.db, {
      city: "Béjaïa",
      specialtyIds: [cardio.id],
      ratingAverage: 3,
      feeAmountMinor: 300_000,
      languages: ["ar"],
    });
    const search = (input: Record<string, unknown>) =>
      callerFor(file.deps).doctors.search({ specialty: `cardiologie ${marker}`, limit: 10, ...input });
    expect(
      (await search({ city: "bejaia", minRating: 4, language: "kab", maxFee: 300_000 })).items.map(
        (d) => d.id,
      ),
    ).toEqual([match.id]);
    expect((await callerFor(file.deps).doctors.search({ specialtyId: cardio.id, limit: 10 })).total).toBe(2);
    expect((await search({ maxFee: 299_999 })).items).toEqual([]);
  });

  test("a specialty name fragment finds the doctors of every specialty it matches, each once", async () => {
    const marker = unique();
    const child = await makeSpecialty(file.db, `Cardiologie${marker} pédiatrique`);
    const adult = await makeSpecialty(file.db, `Cardiologie${marker} adulte`);
    const other = await makeSpecialty(file.db, `Dermatologie${marker}`);
    const { doctor: both } = await makeDoctor(file.db, { specialtyIds: [child.id, adult.id] });
    const { doctor: one } = await makeDoctor(file.db, { specialtyIds: [adult.id, other.id] });
    await makeDoctor(file.db, { specialtyIds: [other.id] });
    const found = await callerFor(file.deps).doctors.search({ specialty: `CARDIOLOGIE${marker}`, limit: 10 });
    expect(found).toMatchObject({ total: 2, totalExact: true });
    expect(found.items.map((d) => d.id).sort()).toEqual([both.id, one.id].sort());
    const scoped = await callerFor(file.deps).doctors.search({
      specialty: `logie${marker} pédiat`,
      limit: 10,
    });
    expect(scoped).toMatchObject({ total: 1, totalExact: true });
    expect(scoped.items.map((d) => d.id)).toEqual([both.id]);
    // The doctor comes with all their specialties, not only the matching one.
    expect(scoped.items[0]?.specialties.map((s) => s.id).sort()).toEqual([child.id, adult.id].sort());
  });

  test("sorts by each key with keyset pages that neither skip nor repeat", async () => {
    const marker = unique();
    const specialty = await makeSpecialty(file.db, `Tri ${marker}`);
    for (let i = 0; i < 5; i++) {
      await makeDoctor(file.db, {
        specialtyIds: [specialty.id],
        user: { lastName: `Name${i}${marker}` },
        ratingAverage: [4.5, 3, 4.5, 5, 1][i],
        yearsOfExperience: i * 3,
        feeAmountMinor: 100_000 + ((i * 7) % 5) * 10_000,
      });
    }
    for (const sort of ["rating", "name", "experience", "fee"] as const) {
      for (const order of ["asc", "desc"] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pageNo = 0; pageNo < 5; pageNo++) {
          const page = await callerFor(file.deps).doctors.search({
            specialtyId: specialty.id,
            sort,
            order,
            limit: 2,
            cursor,
          });
          seen.push(...page.items.map((d) => d.id));
          expect(page.total).toBe(5);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(new Set(seen).size, `${sort} ${order}`).toBe(5);
      }
    }
    const byRating = await callerFor(file.deps).doctors.search({
      specialtyId: specialty.id,
      sort: "rating",
      order: "desc",
      limit: 5,
    });
    const ratings = byRating.items.map((d) => d.rating.average);
    expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
  });

  test("reports an exact total up to 1,000 and a tampered cursor as 400", async () => {
    await expect(callerFor(file.deps).doctors.search({ cursor: "tampered", limit: 5 })).rejects.toMatchObject(
      {
        cause: { code: "VALIDATION_FAILED" },
      },
    );
    const page = await callerFor(file.deps).doctors.search({ limit: 1 });
    expect(page.totalExact).toBe(true);
  });

  test("renaming the doctor's account updates the search key in the same transaction", async () => {
    const { doctor, user } = await makeDoctor(file.db);
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const renamed = `Zerrouki${unique()}`;
    await admin.users.update({ id: user.id, lastName: renamed });
    expect(
      (await callerFor(file.deps).doctors.search({ q: renamed.toLowerCase(), limit: 5 })).items.map(
        (d) => d.id,
      ),
    ).toEqual([doctor.id]);
  });
});
