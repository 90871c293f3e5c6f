import { z } from "zod";
import { ZIdInput } from "#platform/fields/fields.ts";
import { patientProcedure, roleProcedure, router } from "#platform/trpc.ts";
import { adminPatientResource, patientResource } from "./access.ts";
import { listPatients } from "./list.service.ts";
import { createPatient, deactivatePatient, getPatient, updatePatient } from "./manage.service.ts";
import { createOwnProfile, getOwnProfile, updateOwnProfile } from "./own-profile.service.ts";
import { ZPatientDto } from "./patient-dto.ts";
import {
  patientRoutes,
  toCreatePatientInput,
  ZCreateMeInput,
  ZCreatePatientInput,
  ZListPatientsInput,
  ZPatientPage,
  ZUpdateMeInput,
  ZUpdatePatientInput,
} from "./patients.schema.ts";

/** `/patients/me` procedures come first: a literal path is never shadowed by `/patients/{id}`. */
export const patientsRouter = router({
  me: patientProcedure
    .meta(patientRoutes.me)
    .input(z.void())
    .output(ZPatientDto)
    .query(({ ctx }) => getOwnProfile(ctx.deps, ctx.audit, ctx.actor)),
  createMe: patientProcedure
    .meta(patientRoutes.createMe)
    .input(ZCreateMeInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input }) => createOwnProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  updateMe: patientProcedure
    .meta(patientRoutes.updateMe)
    .input(ZUpdateMeInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input }) => updateOwnProfile(ctx.deps, ctx.audit, ctx.actor, input)),
  list: roleProcedure("ADMIN", "STAFF", "DOCTOR")
    .meta(patientRoutes.list)
    .input(ZListPatientsInput)
    .output(ZPatientPage)
    .query(({ ctx, input }) => listPatients(ctx.deps, ctx.actor, input)),
  create: roleProcedure("ADMIN", "STAFF")
    .meta(patientRoutes.create)
    .input(ZCreatePatientInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input }) => createPatient(ctx.deps, ctx.audit, ctx.actor, toCreatePatientInput(input))),
  get: patientResource
    .meta(patientRoutes.get)
    .input(ZIdInput)
    .output(ZPatientDto)
    .query(({ ctx }) => getPatient(ctx.deps, ctx.audit, ctx.actor, ctx.resource)),
  update: patientResource
    .meta(patientRoutes.update)
    .input(ZUpdatePatientInput)
    .output(ZPatientDto)
    .mutation(({ ctx, input: { id: _id, ...changes } }) =>
      updatePatient(ctx.deps, ctx.audit, ctx.actor, ctx.resource, changes),
    ),
  delete: adminPatientResource
    .meta(patientRoutes.delete)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx }) => {
      await deactivatePatient(ctx.deps, ctx.audit, ctx.actor, ctx.resource);
      return null;
    }),
});
