import type { AppRouter as ServerRouter } from "@medical/api";
import type { AnyRouter, TRPCBuiltRouter } from "@trpc/server";
import type { ClientRecord, ClientRoot } from "../src/client-router.ts";

/*
 * The published dist/app-router.d.ts. Declaration emit keeps an alias such as
 * `ClientRouter<ServerRouter>` by name, which would send consumers to @medical/api; the inferred
 * type of a value is written out in full. Only ever compiled to declarations (build/tsconfig.json):
 * `clientView` has no body and is never called.
 */
declare function clientView<R extends AnyRouter>(): TRPCBuiltRouter<
  ClientRoot<R>,
  ClientRecord<R["_def"]["record"]>
>;
const router = clientView<ServerRouter>();
export type AppRouter = typeof router;
