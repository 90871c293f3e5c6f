import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import type { AuditMeta } from "./audit/audit.ts";
import type { Actor } from "./auth/actor.ts";
import type { Role } from "./auth/roles.ts";
import type { Context, SubscriptionBudget } from "./context.ts";
import { appErrors, DomainError } from "./errors/errors.ts";
import { errorFacts } from "./errors/shape.ts";
import type { Meta } from "./meta.ts";
import { limitPublicRead } from "./rate-limit/public-read.ts";
import { transformer } from "./transformer.ts";

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer,
    // Subscriptions over SSE too (httpSubscriptionLink), counted with sockets (docs/decisions/0037).
    sse: {
      // Proxies drop a silent response after 60 s or so; a ping every 15 s keeps it open.
      ping: { enabled: true, intervalMs: 15_000 },
      // Sent to the client: with no ping for this long the connection is dead, so it reconnects.
      client: { reconnectAfterInactivityMs: 40_000 },
    },
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

/** The TRPCError whose code gives a DomainError's status everywhere. */
function trpcErrorOf(cause: DomainError): TRPCError {
  return new TRPCError({ code: appErrors[cause.code].trpc, message: cause.message, cause });
}

const mapDomainErrors = t.middleware(async function mapDomainErrors({ next }) {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) throw trpcErrorOf(result.error.cause);
  return result;
});

/** Exposes the called procedure's meta to the transport (REST success status and message). */
const recordMeta = t.middleware(function recordMeta({ ctx, meta, next }) {
  ctx.route.meta = meta;
  return next();
});

/** The audit facts of an anonymous call (requireSession's, with the actor, on authenticated ones). */
const anonymousAudit = t.middleware(function anonymousAudit({ ctx, next }) {
  const audit: AuditMeta = { actor: null, requestId: ctx.requestId, origin: ctx.origin };
  return next({ ctx: { audit } });
});

/** 401 for an unknown caller: no token, a bad or expired one, a revoked session, an inactive user. */
const requireSession = t.middleware(async function requireSession({ ctx, next }) {
  const actor: Actor = await ctx.authenticate();
  const audit: AuditMeta = { actor, requestId: ctx.requestId, origin: ctx.origin };
  return next({ ctx: { actor, audit } });
});

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/**
 * A subscription's iterator that gives its place back to the socket's budget when the transport
 * disposes of it. tRPC's ws adapter (@trpc/server 11, adapters/ws.ts) calls `return()` at every end
 * (complete, stop, socket close, error, a call cancelled before it iterated); it aborts the
 * procedure's signal at all of them but a completion, so the signal alone would not do. A class,
 * not a generator around the source: an idle subscription holds one small object rather than a
 * second generator with its pending promises (issue 18's heap per idle subscriber).
 */
class ReleasedAtEnd<T> implements AsyncIterableIterator<T>, AsyncDisposable {
  readonly #iterator: AsyncIterator<T>;
  #budget: SubscriptionBudget | null;

  constructor(source: AsyncIterable<T>, budget: SubscriptionBudget) {
    this.#iterator = source[Symbol.asyncIterator]();
    this.#budget = budget;
  }

  #release() {
    if (this.#budget) this.#budget.open -= 1;
    this.#budget = null;
  }

  next(): Promise<IteratorResult<T>> {
    return this.#iterator.next();
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    this.#release();
    return this.#iterator.return?.(value) ?? Promise.resolve({ done: true, value });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#release();
    return this.#iterator.throw?.(error) ?? Promise.reject(error);
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  async [Symbol.asyncDispose]() {
    await this.return();
  }
}

/** A WebSocket holds at most `ctx.subscriptions.max` open subscriptions; a stop or an end frees one. */
const limitSubscriptions = t.middleware(async function limitSubscriptions({ ctx, type, next }) {
  const budget = ctx.subscriptions;
  if (type !== "subscription" || !budget) return next();
  if (budget.open >= budget.max)
    // Nothing to wait for but the end of another subscription: the shortest wait the code allows.
    throw new DomainError("RATE_LIMITED", `At most ${budget.max} subscriptions per connection`, {
      retryAfterSeconds: 1,
    });
  budget.open += 1;
  const result = await next();
  if (!result.ok || !isAsyncIterable(result.data)) {
    budget.open -= 1;
    return result;
  }
  return { ...result, data: new ReleasedAtEnd(result.data, budget) };
});

/**
 * Yields what `source` yields until `ended` aborts, then throws its reason (a DomainError), so the
 * stream's client hears why it stopped. The source, waiting for its next event, is left to its own
 * signal, which the transport aborts once the error has gone out and the response closes.
 */
async function* untilAborted(source: AsyncIterable<unknown>, ended: AbortSignal): AsyncGenerator<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  const fail = (reject: (error: unknown) => void) => {
    const reason: unknown = ended.reason;
    reject(reason instanceof DomainError ? trpcErrorOf(reason) : reason);
  };
  const aborted = new Promise<never>((_resolve, reject) => {
    if (ended.aborted) fail(reject);
    else ended.addEventListener("abort", () => fail(reject), { once: true });
  });
  try {
    for (;;) {
      const next = iterator.next();
      const step = await Promise.race([next, aborted]).catch((cause: unknown) => {
        next.catch(() => undefined);
        throw cause;
      });
      if (step.done) return step.value;
      yield step.value;
    }
  } finally {
    void iterator.return?.()?.catch(() => undefined);
  }
}

/** An SSE subscription ends with UNAUTHORIZED when its session does (ctx.sessionEnded). */
const endWithSession = t.middleware(async function endWithSession({ ctx, type, next }) {
  const ended = ctx.sessionEnded;
  if (type !== "subscription" || !ended) return next();
  const result = await next();
  if (!result.ok || !isAsyncIterable(result.data)) return result;
  return { ...result, data: untilAborted(result.data, ended) };
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;
/** Every procedure starts here, so none can skip error mapping. */
const baseProcedure = t.procedure
  .use(mapDomainErrors)
  .use(recordMeta)
  .use(limitSubscriptions)
  .use(endWithSession);
export const publicProcedure = baseProcedure.use(anonymousAudit);
// Not on publicProcedure: each middleware that extends the context copies it, once per call.
export const authedProcedure = baseProcedure.use(requireSession);

/** 403 for a known caller without one of the roles (401 stays "who are you?"). */
export function roleProcedure(...allowed: [Role, ...Role[]]) {
  return authedProcedure.use(function requireRole({ ctx, next }) {
    if (!allowed.includes(ctx.actor.role)) throw new DomainError("FORBIDDEN");
    return next();
  });
}

export const adminProcedure = roleProcedure("ADMIN");
export const doctorProcedure = roleProcedure("DOCTOR");
export const patientProcedure = roleProcedure("PATIENT");

/** Unauthenticated reads (doctor search) are rate-limited per IP: scraping the directory costs. */
export const publicReadProcedure = publicProcedure.use(async function limitPublicReads({ ctx, next }) {
  await limitPublicRead(ctx.deps, ctx.origin.ip);
  return next();
});

/** What a resource procedure's loader sees: the authenticated call. */
export type AuthedContext = Context & { actor: Actor; audit: AuditMeta };

/** The id of the row a resource procedure is about; the procedure's own strict input repeats it. */
const ZResourceId = z.object({ id: z.uuid() });

/**
 * A procedure about one row: it loads the row through the domain's access predicate (`load`
 * returns undefined for a row the caller may not see) and puts it on `ctx.resource`. A row out of
 * reach is NOT_FOUND, never FORBIDDEN, so existence does not leak. Build one per protected
 * resource in the domain's access.ts; chain the procedure's own `.input()` (with `id`) after it.
 */
export function resourceProcedure<Row>(
  base: typeof authedProcedure,
  notFound: string,
  load: (ctx: AuthedContext, id: string) => Promise<Row | undefined>,
) {
  return resourceProcedureBy(base, ZResourceId, (input) => input.id, notFound, load);
}

/**
 * The same for a route whose path names its row otherwise than `{id}`
 * (`/doctors/availability/{availabilityId}`): `key` is the input object holding the row's id.
 */
export function resourceProcedureBy<Row, Shape extends z.ZodRawShape>(
  base: typeof authedProcedure,
  key: z.ZodObject<Shape>,
  idOf: (input: z.output<z.ZodObject<Shape>>) => string,
  notFound: string,
  load: (ctx: AuthedContext, id: string) => Promise<Row | undefined>,
) {
  return base.input(key).use(async function loadResource({ ctx, input, next }) {
    const resource = await load(ctx, idOf(input));
    if (resource === undefined) throw new DomainError("NOT_FOUND", notFound);
    return next({ ctx: { resource } });
  });
}
