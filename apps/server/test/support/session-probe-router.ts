import { appRouter, authedProcedure, mergeRouters, router } from "@medical/api";

/**
 * The app's router plus a subscription that stays open until the client stops it and first
 * reports the access token its socket authenticated with, so a test can see which token a
 * reconnect used. Built in the test: no test-only route ships in the server.
 */
export function createSessionProbeRouter() {
  return mergeRouters(
    appRouter,
    router({
      sessionProbe: router({
        socketToken: authedProcedure.subscription(async function* ({ ctx, signal }) {
          yield ctx.accessToken;
          if (!signal || signal.aborted) return;
          await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        }),
      }),
    }),
  );
}
