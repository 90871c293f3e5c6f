import { z } from "zod";
import { ZIdInput } from "#platform/fields/fields.ts";
import { adminProcedure, authedProcedure, router } from "#platform/trpc.ts";
import { userResource } from "./access.ts";
import { changePassword } from "./passwords.service.ts";
import { toUserDto, ZUserDto } from "./user-dto.ts";
import {
  userRoutes,
  ZChangePasswordInput,
  ZCreateUserInput,
  ZListUsersInput,
  ZUpdateMeInput,
  ZUpdateUserInput,
  ZUserPage,
} from "./users.schema.ts";
import { createUser, deactivateUser, getMe, listUsers, updateMe, updateUser } from "./users.service.ts";

export const usersRouter = router({
  me: authedProcedure
    .meta(userRoutes.me)
    .input(z.void())
    .output(ZUserDto)
    .query(({ ctx }) => getMe(ctx.deps, ctx.actor)),
  updateMe: authedProcedure
    .meta(userRoutes.updateMe)
    .input(ZUpdateMeInput)
    .output(ZUserDto)
    .mutation(({ ctx, input }) => updateMe(ctx.deps, ctx.audit, ctx.actor, input)),
  changePassword: authedProcedure
    .meta(userRoutes.changePassword)
    .input(ZChangePasswordInput)
    .output(z.null())
    .mutation(async ({ ctx, input }) => {
      await changePassword(ctx.deps, ctx.audit, ctx.actor, input);
      return null;
    }),
  list: adminProcedure
    .meta(userRoutes.list)
    .input(ZListUsersInput)
    .output(ZUserPage)
    .query(({ ctx, input }) => listUsers(ctx.deps, ctx.actor, input)),
  create: adminProcedure
    .meta(userRoutes.create)
    .input(ZCreateUserInput)
    .output(ZUserDto)
    .mutation(({ ctx, input }) => createUser(ctx.deps, ctx.audit, input)),
  get: userResource
    .meta(userRoutes.get)
    .input(ZIdInput)
    .output(ZUserDto)
    .query(({ ctx }) => toUserDto(ctx.resource)),
  update: userResource
    .meta(userRoutes.update)
    .input(ZUpdateUserInput)
    .output(ZUserDto)
    .mutation(({ ctx, input: { id: _id, ...changes } }) =>
      updateUser(ctx.deps, ctx.audit, ctx.actor, ctx.resource, changes),
    ),
  delete: userResource
    .meta(userRoutes.delete)
    .input(ZIdInput)
    .output(z.null())
    .mutation(async ({ ctx }) => {
      await deactivateUser(ctx.deps, ctx.audit, ctx.actor, ctx.resource);
      return null;
    }),
});
