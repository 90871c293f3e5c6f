import { performance } from "node:perf_hooks";

/** Told about every statement a DbHandle's `db` runs (the server's metrics). */
export interface QueryObserver {
  /** A statement was handed to the driver: it may first wait for a pooled connection. */
  queryStarted(): void;
  /** That statement settled after `seconds` (waiting included); `failed` when it was refused. */
  querySettled(seconds: number, failed: boolean): void;
}

/** The driver methods to watch: those that run one statement, and those that hand a scoped client to a callback. */
export interface DriverMethods {
  statement: string;
  scoped: readonly string[];
}

/** postgres-js: `unsafe` is what Drizzle calls for every statement; `begin`/`savepoint` give transactions their client. */
export const POSTGRES_METHODS: DriverMethods = { statement: "unsafe", scoped: ["begin", "savepoint"] };
/** PGlite: `query` for every statement, `transaction` for the transaction's. */
export const PGLITE_METHODS: DriverMethods = { statement: "query", scoped: ["transaction"] };

type Method = (...args: never[]) => unknown;

const isMethod = (value: unknown): value is Method => typeof value === "function";

export interface Observable<T> {
  /** The client to build Drizzle on. */
  client: T;
  /** Starts reporting to `observer`; until then statements run untouched. */
  observe(observer: QueryObserver): void;
}

/**
 * Watches the driver under Drizzle, which has no hook when a statement ends (its logger only sees
 * the start). A Proxy reports the driver's statement method and wraps the clients its transaction
 * methods pass on; every other method reaches the driver bound to it (PGlite keeps private fields).
 * Wrappers are made once per client and method, so a statement allocates nothing more than its
 * settle callbacks, and nothing at all before `observe`.
 */
export function observable<T extends object>(client: T, methods: DriverMethods): Observable<T> {
  let observer: QueryObserver | undefined;

  const timed = (statement: PromiseLike<unknown>, watcher: QueryObserver): void => {
    const started = performance.now();
    watcher.queryStarted();
    statement.then(
      () => watcher.querySettled((performance.now() - started) / 1000, false),
      () => watcher.querySettled((performance.now() - started) / 1000, true),
    );
  };

  const wrapperOf = (driver: object, key: string | symbol, method: Method): Method => {
    if (key === methods.statement) {
      return (...args: unknown[]) => {
        const statement: PromiseLike<unknown> = Reflect.apply(method, driver, args);
        // postgres-js sends a query once awaited, a microtask later: Drizzle's `.values()` still applies.
        if (observer) timed(statement, observer);
        return statement;
      };
    }
    if (typeof key === "string" && methods.scoped.includes(key)) {
      const scoped =
        (callback: Method) =>
        (scopedClient: object, ...rest: unknown[]) =>
          Reflect.apply(callback, undefined, [watch(scopedClient), ...rest]);
      return (...args: unknown[]) =>
        Reflect.apply(
          method,
          driver,
          args.map((arg) => (isMethod(arg) ? scoped(arg) : arg)),
        );
    }
    return method.bind(driver);
  };

  const watch = <C extends object>(target: C): C => {
    const wrappers = new Map<string | symbol, { method: Method; wrapper: Method }>();
    return new Proxy(target, {
      get(driver, key) {
        const value: unknown = Reflect.get(driver, key);
        if (!isMethod(value)) return value;
        const known = wrappers.get(key);
        if (known?.method === value) return known.wrapper;
        const wrapper = wrapperOf(driver, key, value);
        wrappers.set(key, { method: value, wrapper });
        return wrapper;
      },
    });
  };

  return {
    client: watch(client),
    observe(next) {
      observer = next;
    },
  };
}
