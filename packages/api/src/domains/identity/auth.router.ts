import { z } from "zod";
import { authedProcedure, publicProcedure, router } from "#platform/trpc.ts";
import {
  authRoutes,
  ZForgotInput,
  ZLoginInput,
  ZRefreshInput,
  ZRegisterInput,
  ZResetInput,
  ZVerifyEmailInput,
} from "./auth.schema.ts";
import { login } from "./login.service.ts";
import { logout, logoutAll } from "./logout.service.ts";
import { forgotPassword, resetPassword, verifyEmail } from "./passwords.service.ts";
import { refresh } from "./refresh.service.ts";
import { register } from "./register.service.ts";
import { sessionEvents } from "./session-events.ts";
import { ZSessionDto } from "./sessions.service.ts";

const done = async (work: Promise<void>) => {
  await work;
  return null;
};

export const authRouter = router({
  register: publicProcedure
    .meta(authRoutes.register)
    .input(ZRegisterInput)
    .output(ZSessionDto)
    .mutation(({ ctx, input }) => register(ctx.deps, ctx.audit, input)),
  login: publicProcedure
    .meta(authRoutes.login)
    .input(ZLoginInput)
    .output(ZSessionDto)
    .mutation(({ ctx, input }) => login(ctx.deps, ctx.audit, input)),
  refresh: publicProcedure
    .meta(authRoutes.refresh)
    .input(ZRefreshInput)
    .output(ZSessionDto)
    .mutation(({ ctx, input }) => refresh(ctx.deps, ctx.audit, input.refreshToken)),
  logout: publicProcedure
    .meta(authRoutes.logout)
    .input(ZRefreshInput)
    .output(z.null())
    .mutation(({ ctx, input }) => done(logout(ctx.deps, ctx.audit, input.refreshToken))),
  logoutAll: authedProcedure
    .meta(authRoutes.logoutAll)
    .input(z.void())
    .output(z.null())
    .mutation(({ ctx }) => done(logoutAll(ctx.deps, ctx.audit, ctx.actor))),
  forgot: publicProcedure
    .meta(authRoutes.forgot)
    .input(ZForgotInput)
    .output(z.null())
    .mutation(({ ctx, input }) => done(forgotPassword(ctx.deps, ctx.audit, input))),
  reset: publicProcedure
    .meta(authRoutes.reset)
    .input(ZResetInput)
    .output(z.null())
    .mutation(({ ctx, input }) => done(resetPassword(ctx.deps, ctx.audit, input))),
  verifyEmail: publicProcedure
    .meta(authRoutes.verifyEmail)
    .input(ZVerifyEmailInput)
    .output(z.null())
    .mutation(({ ctx, input }) => done(verifyEmail(ctx.deps, ctx.audit, input))),
  /** Tells a WebSocket client why its session ended, just before the server closes it with 4401. */
  // Subscriptions are not part of the REST mirror; their events are typed by the service.
  onSessionEvent: authedProcedure
    .input(z.void())
    .subscription(({ ctx, signal }) => sessionEvents(ctx.deps, ctx.actor, signal)),
});
