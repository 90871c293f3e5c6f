import type { IncomingMessage } from "node:http";
import {
  type AppRouter,
  CALENDAR_FEED_PATH,
  type Context,
  createContextFactory,
  type Deps,
  reportError,
} from "@medical/api";
import type { TRPCError } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Express } from "express";
import { createOpenApiExpressMiddleware } from "trpc-to-openapi";
import type { Config } from "./config.ts";
import { docsRoutes } from "./docs/docs-routes.ts";
import { accessLog } from "./http/access-log.ts";
import { calendarFeedRoute } from "./http/calendar-feed.ts";
import { compileTrustProxy } from "./http/client-ip.ts";
import { corsMiddleware } from "./http/cors.ts";
import { emptyBodyIsJson } from "./http/empty-body.ts";
import { jsonBodyErrors, notFound, unexpectedErrors } from "./http/errors.ts";
import { healthFastPath } from "./http/health.ts";
import { boundedJsonDepth } from "./http/json-depth.ts";
import { assignRequestId } from "./http/request-id.ts";
import { retryAfterHeaders } from "./http/retry-after.ts";
import { noStore, securityHeaders } from "./http/security-headers.ts";
import { metricsRoute } from "./metrics/endpoint.ts";
import type { Metrics } from "./metrics/metrics.ts";
import { envelopeBody } from "./rest/envelope.ts";
import { buildOpenApiDocument } from "./rest/openapi-document.ts";
import { operationIdOf } from "./rest/operation-id.ts";
import { coerceQuery, strictQuery } from "./rest/query-coercion.ts";
import type { SseStreams } from "./sse.ts";

/** Most calls one tRPC HTTP batch may carry; the SDK's httpBatchLink uses the same number. */
export const MAX_BATCH_SIZE = 10;
/** The REST methods whose input is a JSON body. */
const BODY_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH"]);

export interface AppOptions {
  deps: Deps;
  config: Pick<Config, "corsOrigins" | "trustProxy" | "limits">;
  router: AppRouter;
  /** Collected, and served on this app when it has a token, only when METRICS_* ask for it. */
  metrics?: Metrics;
  /** Admits tRPC subscriptions over SSE, with the WebSockets' caps and session guard (server.ts). */
  streams: SseStreams;
}

export function createApp({ deps, config, router, metrics, streams }: AppOptions): Express {
  const createContext = createContextFactory(deps);
  // The context's id is the one the client gets; before a context exists, the header assignRequestId set.
  const onError =
    (transport: "rest" | "trpc") =>
    ({
      error,
      path,
      ctx,
      req,
    }: {
      error: TRPCError;
      path?: string;
      ctx?: Context;
      req: Pick<IncomingMessage, "headers">;
    }) => {
      metrics?.countRefusal(error, transport, path);
      reportError(deps.logger, error, {
        path,
        requestId: ctx?.requestId ?? String(req.headers["x-request-id"] ?? ""),
      });
    };

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", compileTrustProxy(config.trustProxy));
  if (metrics) app.use(metrics.timeRequests);
  app.use(assignRequestId, accessLog(deps.logger), securityHeaders(), corsMiddleware(config.corsOrigins));
  if (metrics?.config.token) app.get("/metrics", metricsRoute(metrics, metrics.config.token));
  app.use(["/trpc", "/api/v1"], noStore);
  app.use(healthFastPath(deps, router));
  // Before the REST adapter: a calendar app's GET, answered in text/calendar without a session.
  app.get(`${CALENDAR_FEED_PATH}/:file`, calendarFeedRoute(deps));

  app.use(
    "/trpc",
    streams.admit,
    createExpressMiddleware({
      router,
      createContext: ({ req, info }) => ({
        ...createContext({ req, info, ip: req.ip ?? null, oneRequest: true }),
        sessionEnded: streams.sessionEnded(req),
      }),
      responseMeta: ({ errors }) => ({ headers: retryAfterHeaders(errors) }),
      onError: onError("trpc"),
      maxBodySize: config.limits.bodyBytes,
      maxBatchSize: MAX_BATCH_SIZE,
    }),
  );

  const rest = express.Router();
  rest.use(strictQuery(router));
  // Parsed here so `application/json; charset=utf-8` works: the adapter's own reader wants the bare type.
  const jsonBody = express.Router();
  jsonBody.use(
    emptyBodyIsJson,
    express.json({ limit: config.limits.bodyBytes }),
    jsonBodyErrors,
    boundedJsonDepth,
  );
  // GET and DELETE take their input from the query: a body sent with one is never read, nor refused.
  rest.use((req, res, next) => (BODY_METHODS.has(req.method) ? jsonBody(req, res, next) : next()));
  rest.use(
    createOpenApiExpressMiddleware({
      router,
      createContext: ({ req }) =>
        createContext({ req, ip: req.ip ?? null, oneRequest: true, idempotencyHeader: true }),
      coerceQuery,
      formatBody: envelopeBody,
      responseMeta: ({ ctx, errors, paths }) => {
        const meta = ctx?.route.meta;
        const status = errors.length === 0 ? meta?.successStatus : undefined;
        // Names the procedure that answered, as the OpenAPI document's operationId does.
        const operationId = paths?.[0] ? operationIdOf(paths[0], meta) : undefined;
        const headers = {
          ...retryAfterHeaders(errors),
          ...(operationId ? { "x-operation-id": operationId } : {}),
          ...(ctx?.route.replayed ? { "idempotent-replayed": "true" } : {}),
          ...(ctx?.route.attachment && errors.length === 0
            ? { "content-disposition": `attachment; filename="${ctx.route.attachment}"` }
            : {}),
        };
        return { ...(status ? { status } : {}), headers };
      },
      onError: onError("rest"),
      maxBodySize: config.limits.bodyBytes,
    }),
  );
  app.use("/api/v1", rest);

  app.use(docsRoutes(() => buildOpenApiDocument(router, deps.version)));
  app.use(notFound);
  app.use(unexpectedErrors(deps.logger));
  return app;
}
