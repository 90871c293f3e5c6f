import { performance } from "node:perf_hooks";
import type { Scenario } from "../scenario.ts";

const startedAt = Date.now();

/** The cheapest full request: routing, middleware, the response envelope and one round trip to the database. */
export const health: Scenario = {
  name: "health",
  description: "GET /api/v1/health: middleware chain, envelope and one `select 1`",
  targets: [{ path: "/api/v1/health" }],
  minRatio: 0.5,
  bare: [
    {
      path: "/api/v1/health",
      async handle({ query }) {
        const before = performance.now();
        await query("select 1");
        // The server's body, field for field, so both answers weigh about 160 bytes.
        return {
          status: 200,
          body: {
            success: true,
            data: {
              status: "ok",
              database: "up",
              databaseKind: "bare",
              databaseRoundTripMs: Math.round((performance.now() - before) * 100) / 100,
              version: "0.1.0",
              uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
            },
            message: null,
          },
        };
      },
    },
  ],
};
