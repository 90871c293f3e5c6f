import { appRouter } from "@medical/api";
import { makeDoctor, makePatient, makeUser, TEST_PASSWORD } from "@medical/api/testing";
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { loadTestConfig } from "../../../test/config.ts";
import { MAX_BATCH_SIZE } from "../src/app.ts";
import { documentedErrors } from "./support/documented-errors.ts";
import { type FuzzRequest, type Procedure, requestFor, trpcRequestFor } from "./support/fuzz/arbitraries.ts";
import { errorCodeOf, restProblems, trpcProblems } from "./support/fuzz/checks.ts";
import { type Operation, operationsOf } from "./support/fuzz/spec.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

/**
 * Hostile requests to every documented REST operation and to /trpc, as every role, generated from
 * the live /openapi.json and the router with a fixed seed (`pnpm fuzz --runs N` for a long run).
 */
const { FUZZ_RUNS, FUZZ_SEED } = loadTestConfig();
const roles = ["anonymous", "PATIENT", "DOCTOR", "STAFF", "ADMIN"] as const;
type Role = (typeof roles)[number];
// Every limit far above the run, so answers measure the routes and not the limiter.
const unlimited = [{ points: 1_000_000_000, durationMs: 60_000 }];

const ZLogin = z.object({ data: z.object({ accessToken: z.string() }) });

let server: TestServer;
let operations: Operation[];
let documented: ReturnType<typeof documentedErrors>;
const tokens = new Map<Role, string>();

beforeAll(async () => {
  server = await startTestServer({
    router: appRouter,
    deps: {
      settings: {
        rateLimits: {
          login: [unlimited[0]!, unlimited[0]!, unlimited[0]!],
          auth: unlimited,
          public: unlimited,
          calendarFeed: unlimited,
          export: unlimited,
        },
      },
    },
  });
  const document: unknown = await (await fetch(`${server.url}/openapi.json`)).json();
  operations = operationsOf(document);
  documented = documentedErrors(document);
  const { db } = server.handle;
  const accounts = {
    PATIENT: (await makePatient(db)).user,
    DOCTOR: (await makeDoctor(db)).user,
    STAFF: await makeUser(db, { role: "STAFF" }),
    ADMIN: await makeUser(db, { role: "ADMIN" }),
  };
  for (const role of ["PATIENT", "DOCTOR", "STAFF", "ADMIN"] as const) {
    const user = accounts[role];
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: TEST_PASSWORD }),
    });
    tokens.set(role, ZLogin.parse(await login.json()).data.accessToken);
  }
});
afterAll(() => server.close());

async function send(request: FuzzRequest, role: Role) {
  const headers: Record<string, string> = {};
  if (request.contentType) headers["content-type"] = request.contentType;
  const token = tokens.get(role);
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${server.url}${request.url}`, {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return {
    status: response.status,
    text: await response.text(),
    operationId: response.headers.get("x-operation-id"),
  };
}

function procedures(): Procedure[] {
  return Object.entries(appRouter._def.procedures).flatMap(([path, procedure]) => {
    const def: unknown = "_def" in procedure ? procedure._def : undefined;
    const type = typeof def === "object" && def !== null && "type" in def ? def.type : undefined;
    return type === "query" || type === "mutation" ? [{ path, type }] : [];
  });
}

/** Revoking every session of the caller comes last, so it does not sign the other operations out. */
const revokesSessions = (operation: Operation) => operation.path === "/auth/logout-all";

test("no hostile request gets a 5xx, a broken envelope or engine text", { timeout: 600_000 }, async () => {
  const tested = new Map<string, number>();
  const perRole = new Map<Role, number>();
  const failures: string[] = [];
  const ordered = [...operations.filter((o) => !revokesSessions(o)), ...operations.filter(revokesSessions)];
  const runs = Math.max(1, Math.ceil(FUZZ_RUNS / (ordered.length + 1)));
  let requests = 0;
  /** "GET /doctors/{id} 400 VALIDATION_FAILED" for every error answer the run saw. */
  const observed = new Set<string>();

  /** Counts the answer, and throws what is wrong with it so fast-check shrinks the request. */
  const judge = (name: string, role: Role, status: number, text: string, problems: string[]) => {
    requests += 1;
    perRole.set(role, (perRole.get(role) ?? 0) + 1);
    if (status !== 429) tested.set(name, (tested.get(name) ?? 0) + 1);
    if (problems.length) throw new Error(`${problems.join("; ")} (${status} ${text.slice(0, 300)})`);
  };
  /** One property per target; a failure is kept (shrunk, with its seed) and the run goes on. */
  const check = async <T>(name: string, property: fc.IAsyncProperty<T>, numRuns: number) => {
    try {
      await fc.assert(property, { seed: FUZZ_SEED, numRuns, endOnFailure: true });
    } catch (error) {
      const cause =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      failures.push(`${name}: ${cause.slice(0, 600)}`);
    }
  };

  await check(
    "/trpc",
    fc.asyncProperty(
      trpcRequestFor(procedures(), MAX_BATCH_SIZE),
      fc.constantFrom(...roles),
      async (request, role) => {
        const { status, text } = await send(request, role);
        judge(`/trpc ${request.kind}`, role, status, text, trpcProblems(status, text));
      },
    ),
    runs * 3,
  );
  for (const operation of ordered) {
    await check(
      operation.name,
      fc.asyncProperty(requestFor(operation), fc.constantFrom(...roles), async (request, role) => {
        const { status, text, operationId } = await send(request, role);
        judge(operation.name, role, status, text, restProblems(status, text));
        // The operation that answered (a path id such as "specialties" can reach another one), or
        // the requested one when Express answered before routing (a body that is not JSON).
        const code = errorCodeOf(text);
        const answeredBy = operationId === null ? operation.name : documented.operationIds.get(operationId);
        const noRoute = operationId === null && code === "NOT_FOUND";
        if (code && !noRoute) observed.add(`${answeredBy} ${status} ${code}`);
      }),
      runs,
    );
  }

  const untested = [
    ...operations.map((o) => o.name),
    "/trpc batch over the limit",
    "/trpc malformed ?input=",
    "/trpc wrong superjson shapes in a batch",
  ].filter((name) => !tested.get(name));
  process.stdout.write(
    `fuzz: seed ${FUZZ_SEED}, ${requests} requests over ${operations.length} operations + /trpc; per role ${JSON.stringify(Object.fromEntries(perRole))}; answers not 429 per operation ${JSON.stringify(Object.fromEntries(tested))}\n`,
  );
  expect(failures).toEqual([]);
  expect(untested).toEqual([]);
  const undocumented = [...observed].filter((seen) => {
    const [method, path, status, code] = seen.split(" ");
    return !documented.byOperation
      .get(`${method} ${path}`)
      ?.get(Number(status))
      ?.has(code ?? "");
  });
  process.stdout.write(`fuzz: error answers seen (operation, status, code): ${observed.size}\n`);
  expect(undocumented, "every error answer is documented for its operation").toEqual([]);
});
