import { z } from "zod";
import { adminProcedure, authedProcedure, roleProcedure, router } from "#platform/trpc.ts";
import {
  createPatient,
  deactivatePatient,
  getPatient,
  listPatients,
  updatePatient,
} from "./manage.service.ts";
import { createOwnProfile, getOwnProfile, updateOwnProfile } from "./own-profile.service.ts";
import { ZPatientDto } from "./patient-dto.ts";
import {
  createMeMeta,
  createMeta,
  deleteMeta,
  getMeta,
  listMeta,
  meMeta,
  toCreatePatientInput,
  updateMeMeta,
  updateMeta,
  ZCreateMeInput,
  ZCreatePatientInput,
  ZListPatientsInput,
  ZPatientIdInput,
  ZPatientPage,
  ZUpdateMeInput,
  ZUpdatePatientInput,
} from "./patients.schema.ts";

const patientSelfProcedure = roleProcedure("PATIENT");
const frontDeskProcedure = roleProcedure("ADMIN", "STAFF");

/** `/patients/me` procedures come first: a literal path is never shadowed by `/patients/{id}`. */
export const patientsRouter = router({
  me: patientSelfProcedure
    .meta(meMeta)
    .input(z.void())
    .output(ZPatientDto)
    .query(({ ctx }) => getOwnProfile(ctx.deps, ctx.audit, ctx.actor)),
  createMe: patientSelfProcedure
    .meta(createMeMeta)
    .input(ZCreateMeInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input }) => createOwnProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  updateMe: patientSelfProcedure
    .meta(updateMeMeta)
    .input(ZUpdateMeInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input }) => updateOwnProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  list: roleProcedure("ADMIN", "STAFF", "DOCTOR")
    .meta(listMeta)
    .input(ZListPatientsInput)
    .output(ZPatientPage)
    .query(({ ctx, input }) => listPatients(ctx.deps, ctx.actor, input)),
  create: frontDeskProcedure
    .meta(createMeta)
    .input(ZCreatePatientInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input }) => createPatient(ctx.deps, ctx.audit, ctx.actor, toCreatePatientInput(input))),
  get: authedProcedure
    .meta(getMeta)
    .input(ZPatientIdInput)
    .output(ZPatientDto)
    .query(({ ctx, input }) => getPatient(ctx.deps, ctx.audit, ctx.actor, input.id)),
  update: authedProcedure
    .meta(updateMeta)
    .input(ZUpdatePatientInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input: { id, ...changes } }) =>
      updatePatient(ctx.deps, ctx.audit, ctx.actor, id, changes),
    ),
  delete: adminProcedure
    .meta(deleteMeta)
    .input(ZPatientIdInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await deactivatePatient(ctx.deps, ctx.audit, ctx.actor, input.id);
      return null;
    }),
});
