import type { RouterInputs } from "./router-types.ts";

/**
 * A compile-time test, run by `pnpm typecheck`: every input field an SDK caller passes is typed.
 * A field that resolves to `unknown` or `any` (a coercing schema such as `z.coerce.number()`
 * leaks the REST query-string encoding into the typed API) fails to compile here, naming it.
 */
type IsLoose<T> = 0 extends 1 & T ? true : unknown extends T ? true : false;

type LooseFields<T, Path extends string> =
  IsLoose<T> extends true
    ? Path
    : T extends Date | string | number | boolean | bigint | null | undefined
      ? never
      : T extends readonly (infer Item)[]
        ? LooseFields<Item, `${Path}[]`>
        : T extends object
          ? { [K in keyof T & string]-?: LooseFields<T[K], `${Path}.${K}`> }[keyof T & string]
          : never;

export type LooseSdkInputs = {
  [R in keyof RouterInputs & string]: {
    [P in keyof RouterInputs[R] & string]: LooseFields<RouterInputs[R][P], `${R}.${P}`>;
  }[keyof RouterInputs[R] & string];
}[keyof RouterInputs & string];

/** Compiles only while no input is loose; otherwise the error lists the loose fields. */
export const everySdkInputIsTyped: [LooseSdkInputs] extends [never]
  ? true
  : `loose input: ${LooseSdkInputs}` = true;
