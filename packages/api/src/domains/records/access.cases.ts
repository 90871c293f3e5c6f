import { randomUUID } from "node:crypto";
import { medicalRecords, type User } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import {
  anonymous,
  doctorWithAppointment,
  type KnowsAccounts,
  newAccount,
  newDoctor,
  newPatient,
  remembered,
} from "#testing/access-callers.ts";
import { defineAccessTable, type Verdict } from "#testing/access-table.ts";
import type { Caller } from "#testing/caller.ts";
import { makeAppointment } from "#testing/factories/appointments.ts";
import { makeDoctor } from "#testing/factories/doctors.ts";
import { makePatient } from "#testing/factories/patients.ts";
import { makeMedicalRecord } from "#testing/factories/records.ts";
import { signIn } from "#testing/sign-in.ts";

interface World extends KnowsAccounts {
  owner: User;
  patientId: string;
  /** The author of `clinicalId`, who treats the owner (a COMPLETED visit). */
  author: User;
  /** A doctor who wrote `formerId` but whose only appointment with the owner was cancelled. */
  former: User;
  clinicalId: string;
  noteId: string;
  formerId: string;
  /** The record's version and deletion as stored now. */
  stateOf(id: string): Promise<{ version: number; deleted: boolean } | undefined>;
}

/** Who reads a record: its patient, the doctors who treat them, ADMIN; STAFF never (403). */
const readers = {
  owner: "ok",
  otherSameRole: "NOT_FOUND",
  author: "ok",
  treatingDoctor: "ok",
  otherDoctor: "NOT_FOUND",
  cancelledDoctor: "NOT_FOUND",
  former: "NOT_FOUND",
  admin: "ok",
} as const satisfies Record<string, Verdict>;

/** Who changes the doctor's clinical entry: its author and ADMIN; those who read it but may not, 403. */
const clinicalChangers = { ...readers, owner: "FORBIDDEN", treatingDoctor: "FORBIDDEN" } as const;

/** Who changes the patient's note: the patient and ADMIN; a doctor never, even its patient's. */
const noteChangers = { ...readers, author: "FORBIDDEN", treatingDoctor: "FORBIDDEN" } as const;

/** The record a case is about. */
type Target = "clinicalId" | "noteId" | "formerId";

/** Whether the caller may open the record: what every list must agree with. */
const opens = (caller: Caller, id: string) =>
  caller.medicalRecords.get({ id }).then(
    () => true,
    () => false,
  );

/**
 * Checks a list showed exactly the world's records the caller may open one by one (GET's own
 * verdicts are the table's `get` rows): a list and a read share one predicate.
 */
async function listsWhatItOpens(caller: Caller, world: World, page: Promise<{ items: { id: string }[] }>) {
  const ids = (await page).items.map((item) => item.id).sort();
  const readable: string[] = [];
  for (const id of [world.clinicalId, world.noteId, world.formerId])
    if (await opens(caller, id)) readable.push(id);
  if (ids.join() !== readable.sort().join())
    throw new Error(`the list showed ${ids.join()} instead of ${readable.join()}`);
}

/** Runs a change and checks it happened exactly when it answered. */
async function changed(
  world: World,
  id: string,
  change: Promise<unknown>,
  happened: (after: { version: number; deleted: boolean }) => boolean,
) {
  const outcome = await change.then(
    () => undefined,
    (error: unknown) => error,
  );
  const after = await world.stateOf(id);
  if ((after !== undefined && happened(after)) === (outcome !== undefined))
    throw new Error("the route answered one thing and did another");
  if (outcome !== undefined) throw outcome;
}

const edit = (caller: Caller, world: World, target: Target) =>
  changed(
    world,
    world[target],
    caller.medicalRecords.update(
      target === "noteId"
        ? { id: world[target], version: 1, note: "Corrigé" }
        : { id: world[target], version: 1, clinicalNotes: "Complété" },
    ),
    (after) => after.version === 2,
  );

const remove = (caller: Caller, world: World, target: Target) =>
  changed(
    world,
    world[target],
    caller.medicalRecords.delete({ id: world[target], reason: "Saisi par erreur" }),
    (after) => after.deleted,
  );

/**
 * The owner is a PATIENT with a clinical entry by `author` (who treats them: a COMPLETED visit)
 * and a history note of their own. `treatingDoctor` treats them too (a SCHEDULED visit) but wrote
 * nothing; `otherDoctor` never met them; `cancelledDoctor` has only a cancelled appointment (no
 * care relationship); `former` wrote an entry while their appointment stood, then it was
 * cancelled: they keep reading what they wrote (docs/decisions/0025) but change nothing.
 */
export const accessTable = defineAccessTable({
  domain: "records",
  async world(deps): Promise<World> {
    const { patient, user } = await makePatient(deps.db);
    const author = await makeDoctor(deps.db);
    const former = await makeDoctor(deps.db);
    await makeAppointment(deps.db, {
      doctorId: author.doctor.id,
      patientId: patient.id,
      status: "COMPLETED",
    });
    await makeAppointment(deps.db, {
      doctorId: former.doctor.id,
      patientId: patient.id,
      status: "CANCELLED",
    });
    const cipher = deps.fieldCipher;
    const clinical = await makeMedicalRecord(deps.db, {
      patientId: patient.id,
      doctorId: author.doctor.id,
      cipher,
    });
    const note = await makeMedicalRecord(deps.db, { patientId: patient.id, cipher });
    const formerEntry = await makeMedicalRecord(deps.db, {
      patientId: patient.id,
      doctorId: former.doctor.id,
      cipher,
    });
    return {
      owner: user,
      patientId: patient.id,
      author: author.user,
      former: former.user,
      clinicalId: clinical.id,
      noteId: note.id,
      formerId: formerEntry.id,
      accountOf: new Map(),
      async stateOf(id) {
        const [row] = await deps.db
          .select({ version: medicalRecords.version, deletedAt: medicalRecords.deletedAt })
          .from(medicalRecords)
          .where(eq(medicalRecords.id, id));
        return row && { version: row.version, deleted: row.deletedAt !== null };
      },
    };
  },
  callers: {
    anonymous,
    owner: remembered((deps, world) => signIn(deps, world.owner)),
    otherSameRole: newPatient,
    author: remembered((deps, world) => signIn(deps, world.author)),
    treatingDoctor: doctorWithAppointment("SCHEDULED"),
    otherDoctor: newDoctor,
    cancelledDoctor: doctorWithAppointment("CANCELLED"),
    former: remembered((deps, world) => signIn(deps, world.former)),
    staff: newAccount("STAFF"),
    admin: newAccount("ADMIN"),
  },
  cases: [
    {
      procedure: "medicalRecords.mine",
      name: "a patient's own file: every entry, theirs and the doctors'",
      call: (caller, world) => listsWhatItOpens(caller, world, caller.medicalRecords.mine({})),
      expect: { owner: "ok", otherSameRole: "ok" },
    },
    {
      procedure: "medicalRecords.addMine",
      name: "a note in the caller's own file only",
      async call(caller, world) {
        const added = await caller.medicalRecords.addMine({ note: "Antécédents : appendicectomie" });
        const own = world.accountOf.get(caller)?.id === world.owner.id;
        if (added.kind !== "PATIENT_REPORTED" || own !== (added.patient.id === world.patientId))
          throw new Error("POST /medical-records/me wrote in another file, or unmarked");
      },
      expect: { owner: "ok", otherSameRole: "ok" },
    },
    {
      procedure: "medicalRecords.doctorMine",
      name: "one patient's file: what the doctor treats, and their own entries",
      call: (caller, world) =>
        listsWhatItOpens(caller, world, caller.medicalRecords.doctorMine({ patientId: world.patientId })),
      expect: { author: "ok", treatingDoctor: "ok", otherDoctor: "ok", cancelledDoctor: "ok", former: "ok" },
    },
    {
      procedure: "medicalRecords.doctorMine",
      name: "authoredByMe: true lists what the caller wrote, false the others'",
      async call(caller, world) {
        const mine = await caller.medicalRecords.doctorMine({
          patientId: world.patientId,
          authoredByMe: true,
        });
        const others = await caller.medicalRecords.doctorMine({
          patientId: world.patientId,
          authoredByMe: false,
        });
        const all = await caller.medicalRecords.doctorMine({ patientId: world.patientId });
        // A doctor reads the versions of their own entries only.
        for (const item of mine.items) await caller.medicalRecords.versions({ id: item.id });
        for (const item of others.items)
          if (
            await caller.medicalRecords.versions({ id: item.id }).then(
              () => true,
              () => false,
            )
          )
            throw new Error("authoredByMe=false listed the caller's own entry");
        const split = [...mine.items, ...others.items].map((item) => item.id).sort();
        if (
          split.join() !==
          all.items
            .map((item) => item.id)
            .sort()
            .join()
        )
          throw new Error("authoredByMe=true and false do not add up to the whole list");
        const wrote = world.accountOf.get(caller)?.id;
        const expected =
          wrote === world.author.id ? world.clinicalId : wrote === world.former.id ? world.formerId : "";
        if (mine.items.map((item) => item.id).join() !== expected)
          throw new Error("authoredByMe=true missed an entry");
      },
      expect: { author: "ok", treatingDoctor: "ok", otherDoctor: "ok", cancelledDoctor: "ok", former: "ok" },
    },
    {
      procedure: "medicalRecords.create",
      name: "for a patient the doctor treats",
      call: (caller, world) =>
        caller.medicalRecords.create({ patientId: world.patientId, clinicalNotes: "Consultation de suivi" }),
      expect: {
        author: "ok",
        treatingDoctor: "ok",
        otherDoctor: "NOT_FOUND",
        cancelledDoctor: "NOT_FOUND",
        former: "NOT_FOUND",
      },
    },
    {
      procedure: "medicalRecords.get",
      name: "a doctor's clinical entry",
      call: (caller, world) => caller.medicalRecords.get({ id: world.clinicalId }),
      expect: readers,
    },
    {
      procedure: "medicalRecords.get",
      name: "the patient's own note",
      call: (caller, world) => caller.medicalRecords.get({ id: world.noteId }),
      expect: readers,
    },
    {
      procedure: "medicalRecords.get",
      name: "an entry by a doctor whose care relationship ended",
      call: (caller, world) => caller.medicalRecords.get({ id: world.formerId }),
      expect: { ...readers, former: "ok" },
    },
    {
      procedure: "medicalRecords.get",
      name: "an id that does not exist",
      call: (caller) => caller.medicalRecords.get({ id: randomUUID() }),
      expect: {
        owner: "NOT_FOUND",
        otherSameRole: "NOT_FOUND",
        author: "NOT_FOUND",
        treatingDoctor: "NOT_FOUND",
        otherDoctor: "NOT_FOUND",
        cancelledDoctor: "NOT_FOUND",
        former: "NOT_FOUND",
        admin: "NOT_FOUND",
      },
    },
    {
      procedure: "medicalRecords.update",
      name: "a doctor's clinical entry",
      call: (caller, world) => edit(caller, world, "clinicalId"),
      expect: clinicalChangers,
    },
    {
      procedure: "medicalRecords.update",
      name: "the patient's own note",
      call: (caller, world) => edit(caller, world, "noteId"),
      expect: noteChangers,
    },
    {
      procedure: "medicalRecords.update",
      name: "an entry by a doctor whose care relationship ended: read-only for them",
      call: (caller, world) => edit(caller, world, "formerId"),
      expect: { ...clinicalChangers, author: "FORBIDDEN", former: "FORBIDDEN" },
    },
    {
      procedure: "medicalRecords.delete",
      name: "a doctor's clinical entry",
      call: (caller, world) => remove(caller, world, "clinicalId"),
      expect: clinicalChangers,
    },
    {
      procedure: "medicalRecords.delete",
      name: "the patient's own note",
      call: (caller, world) => remove(caller, world, "noteId"),
      expect: noteChangers,
    },
    {
      procedure: "medicalRecords.versions",
      name: "a doctor's clinical entry: its author, its patient, ADMIN",
      call: (caller, world) => caller.medicalRecords.versions({ id: world.clinicalId }),
      expect: { ...readers, treatingDoctor: "NOT_FOUND" },
    },
    {
      procedure: "medicalRecords.versions",
      name: "the patient's own note: never a doctor",
      call: (caller, world) => caller.medicalRecords.versions({ id: world.noteId }),
      expect: { ...readers, author: "NOT_FOUND", treatingDoctor: "NOT_FOUND" },
    },
  ],
});
