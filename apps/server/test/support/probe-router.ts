import { appRouter, DomainError, mergeRouters, publicProcedure, router } from "@medical/api";
import type { Database } from "@medical/db";
import { sql } from "drizzle-orm";
import { z } from "zod";

/** Planted in a failing query: it must never reach a response or a log line. */
export const SECRET_PARAMETER = "leaky.patient@example.dz";

async function failingQuery(db: Database) {
  await db.execute(sql`select * from table_that_does_not_exist where email = ${SECRET_PARAMETER}`);
}

const ZEcho = z.strictObject({ flag: z.boolean(), count: z.number().int(), name: z.string().min(2).max(50) });

/** Typed query parameters, as SDK callers pass them; REST sends text that the server converts. */
const ZTypedQuery = z.strictObject({
  count: z.number().int().min(0).max(100).default(20),
  ratio: z.number().optional(),
  flag: z.boolean().optional(),
  since: z.date().optional(),
  name: z.string().optional(),
});
const ZRemoveQuery = z.strictObject({ force: z.boolean(), before: z.date() });

/** Built in the test from the production builders: no test-only route ships in the server. */
export function createProbeRouter(gate?: Promise<void>) {
  return mergeRouters(
    appRouter,
    router({
      probe: router({
        echo: publicProcedure
          .meta({
            openapi: { method: "POST", path: "/probe/echo", tags: ["probe"] },
            successStatus: 201,
            successMessage: "Echoed",
          })
          .input(ZEcho)
          .output(ZEcho)
          .mutation(({ input }) => input),
        items: publicProcedure
          .meta({ openapi: { method: "GET", path: "/probe/items", tags: ["probe"] } })
          .input(
            z.object({
              limit: z.coerce.number().int().min(1).max(100).default(20),
              active: z.stringbool().optional(),
            }),
          )
          .output(z.object({ limit: z.number(), active: z.boolean().optional() }))
          .query(({ input }) => input),
        typed: publicProcedure
          .meta({ openapi: { method: "GET", path: "/probe/typed", tags: ["probe"] } })
          .input(ZTypedQuery)
          .output(ZTypedQuery)
          .query(({ input }) => input),
        remove: publicProcedure
          .meta({ openapi: { method: "DELETE", path: "/probe/typed", tags: ["probe"] } })
          .input(ZRemoveQuery)
          .output(ZRemoveQuery)
          .mutation(({ input }) => input),
        done: publicProcedure
          .meta({ openapi: { method: "POST", path: "/probe/done", tags: ["probe"] }, successMessage: "Done" })
          .input(z.strictObject({}))
          .output(z.void())
          .mutation(() => undefined),
        leak: publicProcedure
          .meta({ openapi: { method: "GET", path: "/probe/leak", tags: ["probe"] } })
          .input(z.void())
          .output(z.object({}))
          .query(async ({ ctx }) => {
            await failingQuery(ctx.deps.db);
            return {};
          }),
        /** One value, then the subscription completes while its socket stays open. */
        single: publicProcedure.subscription(async function* () {
          yield "only";
        }),
        leakStream: publicProcedure.subscription(async function* ({ ctx }) {
          await failingQuery(ctx.deps.db);
          yield "never";
        }),
        taken: publicProcedure
          .meta({
            openapi: { method: "POST", path: "/probe/taken", tags: ["probe"] },
            errors: ["EMAIL_TAKEN"],
          })
          .input(z.strictObject({}))
          .output(z.object({}))
          .mutation(() => {
            throw new DomainError("EMAIL_TAKEN");
          }),
        slow: publicProcedure
          .meta({ openapi: { method: "GET", path: "/probe/slow", tags: ["probe"] } })
          .input(z.void())
          .output(z.object({ done: z.boolean() }))
          .query(async () => {
            await gate;
            return { done: true };
          }),
      }),
    }),
  );
}
