import type {
  AnyProcedure,
  AnyRouter,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from "@trpc/server";

/*
 * The router as a client sees it. A tRPC client reads only each procedure's type, input, output
 * and error shape; the server's context and meta (its database, logger, OpenAPI settings…) stay
 * behind as `object`, so the published declarations name no server-side package.
 *
 * The build (build/app-router.ts) relies on TypeScript's declaration emitter writing this view out
 * in full, naming nothing of the server's: `& {}` keeps it from printing these aliases by name, and
 * the server's types are taken apart with `infer`, not indexed (an indexed access is printed as
 * written, spelling out the server's router).
 */

/** A value's type as plain data: named interfaces become object literals, recursively. */
type Plain<T> = 0 extends 1 & T
  ? T
  : T extends Date
    ? T
    : T extends AsyncIterable<infer Item, infer Return, infer Next>
      ? AsyncIterable<Plain<Item>, Plain<Return>, Next>
      : T extends object
        ? { [K in keyof T]: Plain<T[K]> } & {}
        : T;

type ClientProcedure<P extends AnyProcedure> = P["_def"] extends {
  type: infer Type;
  $types: { input: infer Input; output: infer Output; errorShape: infer ErrorShape };
}
  ? Type extends "query"
    ? TRPCQueryProcedure<{
        input: Plain<Input>;
        output: Plain<Output>;
        meta: object;
        errorShape: Plain<ErrorShape>;
      }>
    : Type extends "mutation"
      ? TRPCMutationProcedure<{
          input: Plain<Input>;
          output: Plain<Output>;
          meta: object;
          errorShape: Plain<ErrorShape>;
        }>
      : TRPCSubscriptionProcedure<{
          input: Plain<Input>;
          output: Plain<Output>;
          meta: object;
          errorShape: Plain<ErrorShape>;
        }>
  : never;

/** A router's procedures and nested records, each procedure in its client view. */
export type ClientRecord<R> = {
  [K in keyof R]: R[K] extends AnyProcedure ? ClientProcedure<R[K]> : ClientRecord<R[K]>;
} & {};

/** A router's root types without its context and meta. */
export type ClientRoot<R extends AnyRouter> = R["_def"]["_config"]["$types"] extends {
  errorShape: infer ErrorShape;
  transformer: infer Transformer;
}
  ? { ctx: object; meta: object; errorShape: Plain<ErrorShape>; transformer: Transformer }
  : never;

/** What a tRPC client needs of router `R`, and nothing of the server's own types. */
export type ClientRouter<R extends AnyRouter> = TRPCBuiltRouter<
  ClientRoot<R>,
  ClientRecord<R["_def"]["record"]>
>;
