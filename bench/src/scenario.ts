import type { IncomingHttpHeaders } from "node:http";
import type { Database } from "@medical/db";
import type { Realtime } from "./realtime/realtime.ts";

export type Headers = Readonly<Record<string, string>>;

export type Method = "GET" | "POST";

/**
 * One request that hey repeats on the server under test, always on 127.0.0.1: a GET, or a POST of
 * one fixed JSON body (hey sends the same body every time).
 */
export interface Target {
  /** Path and query, e.g. `/api/v1/health`. */
  readonly path: string;
  /** GET when not given. */
  readonly method?: Method;
  /** JSON text, sent as `application/json`; only with POST. */
  readonly body?: string;
  readonly headers?: Headers;
  /** Names the target in a mix, for a target comparing two of them ("page 1", "page 500"). */
  readonly label?: string;
}

export interface SetupContext {
  /** `http://127.0.0.1:<port>` of the server being measured (ours or the bare twin). */
  readonly baseUrl: string;
  /** One GET with a timeout; throws on a non-2xx status. Setup loops must stay bounded. */
  getJson(path: string, headers?: Headers): Promise<unknown>;
  /** One POST of `body` as JSON, with a timeout; throws on a non-2xx status. */
  postJson(path: string, body: unknown, headers?: Headers): Promise<unknown>;
}

export type SqlParam = string | number | boolean | null;
export type Row = Readonly<Record<string, unknown>>;
/**
 * The bare twin's whole database API: SQL text and parameters in, rows out, no ORM in between.
 * `prepared` where ours prepares the statement (a named statement, parsed and planned once per
 * connection): the twin sends the same protocol messages as ours, statement by statement.
 */
export type BareQuery = (
  text: string,
  params?: readonly SqlParam[],
  options?: { prepared?: boolean },
) => Promise<readonly Row[]>;

/** Runs a route's `work` in one transaction, its statements through the query it is given. */
export type BareTransaction = (work: (query: BareQuery) => Promise<BareResponse>) => Promise<BareResponse>;

export interface BareRequest {
  readonly query: BareQuery;
  readonly transaction: BareTransaction;
  readonly url: URL;
  /** Values of the `:name` segments of the route's path. */
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body of a POST; undefined for a GET. */
  readonly body: unknown;
  /** Access-token settings the bare twin shares with the server it stands in for. */
  readonly tokens: BareTokens;
}

/**
 * HS256 like the server's access tokens: same issuer, audience and lifetime, and a secret of its
 * own (src/servers.ts passes one to each boot), so a bare route can sign and verify the same JWTs.
 */
export interface BareTokens {
  readonly key: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

export interface BareResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface BareRoute {
  /** GET when not given. */
  readonly method?: Method;
  /** Path with optional `:name` segments, e.g. `/api/v1/doctors/:id`. */
  readonly path: string;
  handle(request: BareRequest): Promise<BareResponse>;
}

export interface ScenarioData {
  /** Bump when `seed` changes: the snapshot database is rebuilt when any version differs. */
  readonly version: number;
  /** Inserts this scenario's rows into the snapshot database, once, before any run. */
  seed(db: Database): Promise<void>;
}

/** One request of a race, sent to one of the two processes of the server under test. */
export interface RaceRequest {
  readonly process: 0 | 1;
  readonly target: Target;
}

/**
 * A one-shot race instead of a load: many requests fired at once at two processes of each server
 * sharing one database (PostgreSQL only), for the number of successes and the wall time.
 */
export interface Race {
  /** Requests fired at once per race. */
  readonly requests: number;
  /** How many of them must succeed (2xx) in every race. */
  readonly successes: number;
  /**
   * Prepares race number `repetition` (0, 1, …) on a server's two processes (log in, pick a fresh
   * slot; not timed) and returns the requests to fire.
   */
  prepare(
    processes: readonly [SetupContext, SetupContext],
    repetition: number,
  ): Promise<readonly RaceRequest[]>;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** What to load. Several targets make a mix: one hey process each, sharing the load evenly. */
  readonly targets: readonly Target[];
  /**
   * Runs against each booted server before its timed runs and returns the targets to load instead
   * of `targets`: log in for a token, walk cursors to a deep page. Not timed.
   */
  readonly setup?: (context: SetupContext) => Promise<readonly Target[]>;
  /** The same SQL served by node:http + a bare driver: the baseline of the ours/bare ratio. */
  readonly bare: readonly BareRoute[];
  /** Inserts this scenario's rows; scenarios sharing one object (the generated load) seed it once. */
  readonly data?: ScenarioData;
  /** Target: ours ÷ twin closed-loop throughput (medians) at least this; printed beside the figure. */
  readonly minRatio?: number;
  /**
   * Closed-loop workers when the issue states them for the ratio (records.read: 32), used by
   * `--concurrency auto` instead of twice the cores; a number given on the command line wins.
   */
  readonly concurrency?: number;
  /**
   * A fixed rate run on both servers besides the one at half saturation, e.g. to compare p95 at a
   * rate set by a requirement; `maxP95Ratio`, if given, is the target for ours ÷ twin p95 at that
   * rate (without one both p95s are printed for the record), and `maxP95Ms` for ours' own p95.
   */
  readonly compareAt?: {
    readonly rate: number;
    readonly maxP95Ratio?: number;
    /** An absolute target for ours' p95 at that rate, when the issue states one. */
    readonly maxP95Ms?: number;
  };
  /**
   * Two labelled targets of the mix compared on ours at the `compareAt` rate: the median latency
   * of `of` ÷ that of `to`, at most `max` (e.g. page 500 against page 1 of a keyset list).
   */
  readonly latencyRatio?: { readonly of: string; readonly to: string; readonly max: number };
  /** Run as a race (src/race.ts) instead of hey's closed and fixed loads; `targets` are unused. */
  readonly race?: Race;
  /**
   * Hold sockets instead of loading routes (src/realtime/: heap per subscriber, broadcast,
   * cross-instance delivery), on servers of its own; `targets` and `bare` are unused.
   */
  readonly realtime?: Realtime;
}
