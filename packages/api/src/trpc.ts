import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Context } from "./context.ts";
import { errorFacts } from "./error-shape.ts";
import { appErrors, DomainError } from "./errors.ts";
import type { Meta } from "./meta.ts";

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    // The same code and no-leak rule on /trpc over HTTP and WebSocket as on the REST mirror.
    errorFormatter({ shape, error, ctx }) {
      const facts = errorFacts(error);
      return {
        code: shape.code,
        message: facts.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: facts.appCode,
          requestId: ctx?.requestId,
          ...(facts.issues ? { issues: facts.issues } : {}),
          ...(facts.details ? { details: facts.details } : {}),
        },
      };
    },
  });

/** Turns a DomainError into the TRPCError whose code gives the right status everywhere. */
const mapDomainErrors = t.middleware(async function mapDomainErrors({ next }) {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: appErrors[cause.code].trpc, message: cause.message, cause });
  }
  return result;
});

/** Exposes the called procedure's meta to the transport (REST success status and message). */
const recordMeta = t.middleware(function recordMeta({ ctx, meta, next }) {
  ctx.route.meta = meta;
  return next();
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
/** Every procedure starts here, so none can skip error mapping. Identity adds the authenticated builders. */
export const publicProcedure = t.procedure.use(mapDomainErrors).use(recordMeta);
