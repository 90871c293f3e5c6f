import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { requestIdFrom } from "../request-id.ts";
import { type AppErrorCode, appCodeOfTrpcCode, appErrors, DomainError, invalidField } from "./errors.ts";
import { describeIssues } from "./issues.ts";
import { errorFacts } from "./shape.ts";

const codes = Object.keys(appErrors) as AppErrorCode[];

describe("the error table", () => {
  test.each(codes)("%s answers the same status on tRPC and on REST", (code) => {
    const spec = appErrors[code];
    expect(getHTTPStatusCodeFromError(new TRPCError({ code: spec.trpc }))).toBe(spec.status);
  });

  test("a domain error keeps its code, message and its code's data", () => {
    const error = new TRPCError({
      code: "TOO_MANY_REQUESTS",
      cause: new DomainError("RATE_LIMITED", undefined, { retryAfterSeconds: 3 }),
    });
    expect(errorFacts(error)).toEqual({
      appCode: "RATE_LIMITED",
      message: appErrors.RATE_LIMITED.message,
      details: { retryAfterSeconds: 3 },
    });
  });

  test("every VALIDATION_FAILED lists issues: a field named by a service, or the input as a whole", () => {
    const cursor = errorFacts(
      new TRPCError({ code: "BAD_REQUEST", cause: invalidField(["cursor"], "not a cursor of this list") }),
    );
    expect(cursor).toEqual({
      appCode: "VALIDATION_FAILED",
      message: "Invalid input: cursor: not a cursor of this list",
      issues: [{ path: ["cursor"], message: "not a cursor of this list" }],
    });
    const batch = errorFacts(
      new TRPCError({
        code: "BAD_REQUEST",
        message: '"input" needs to be an object when doing a batch call',
      }),
    );
    expect(batch.issues).toEqual([
      { path: [], message: '"input" needs to be an object when doing a batch call' },
    ]);
  });

  test("an unexpected error keeps only a generic message", () => {
    const leak = new Error("insert into users (email) values ('amina@example.dz')");
    expect(
      errorFacts(new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: leak.message, cause: leak })),
    ).toEqual({
      appCode: "INTERNAL",
      message: "Internal server error",
    });
  });

  test("a validation error lists its issues", () => {
    const parsed = z.object({ email: z.email(), age: z.number() }).safeParse({ email: "nope", age: "x" });
    const error = new TRPCError({ code: "BAD_REQUEST", cause: parsed.error });
    const facts = errorFacts(error);
    expect(facts.appCode).toBe("VALIDATION_FAILED");
    expect(facts.issues?.map((issue) => issue.path)).toEqual([["email"], ["age"]]);
    expect(facts.message).toMatch(/^Invalid input: email: .+; age: /);
  });

  test("errors the framework raises take the most general code of their tRPC code", () => {
    expect(appCodeOfTrpcCode("CONFLICT")).toBe("CONFLICT");
    expect(appCodeOfTrpcCode("UNAUTHORIZED")).toBe("UNAUTHENTICATED");
    expect(appCodeOfTrpcCode("BAD_REQUEST")).toBe("VALIDATION_FAILED");
    expect(appCodeOfTrpcCode("PARSE_ERROR")).toBe("MALFORMED_JSON");
    expect(appCodeOfTrpcCode("TIMEOUT")).toBe("INTERNAL");
  });

  test("long issue lists are summarised", () => {
    const issues = Array.from({ length: 7 }, (_, i) => ({ path: [`f${i}`], message: "Required" }));
    expect(describeIssues(issues)).toMatch(/f4: Required \(and 2 more\)$/);
  });
});

describe("request ids", () => {
  test("keep a well-formed client id and replace anything else", () => {
    expect(requestIdFrom("app-42-XYZ")).toBe("app-42-XYZ");
    for (const bad of [undefined, "", "a b", "x".repeat(65), "id\n{}", "é"]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
