import { describe, expect, test } from "vitest";
import { z } from "zod";
import { coerceQuery } from "./query-coercion.ts";

const Query = z.strictObject({
  limit: z.number().int().min(1).max(100).default(20),
  page: z.int().optional(),
  ratio: z.number().nullable().optional(),
  active: z.boolean().optional(),
  since: z.date().optional(),
  name: z.string().optional(),
  status: z.enum(["SCHEDULED", "CANCELLED"]).optional(),
  id: z.uuid().optional(),
  archived: z.stringbool().optional(),
  legacyLimit: z.coerce.number().int().optional(),
  tags: z.array(z.number()).optional(),
});

const parse = (input: Record<string, unknown>) => Query.safeParse(coerceQuery(Query, input));

describe("coerceQuery", () => {
  test("turns the text of number, boolean and date keys into those types, under optional, default and nullable", () => {
    expect(
      coerceQuery(Query, {
        limit: "50",
        page: "-3",
        ratio: "4.5",
        active: "false",
        since: "2026-12-01T08:30:00.000Z",
      }),
    ).toEqual({
      limit: 50,
      page: -3,
      ratio: 4.5,
      active: false,
      since: new Date("2026-12-01T08:30:00.000Z"),
    });
    expect(coerceQuery(Query, { active: "true", since: "2026-12-01T09:30:00+01:00" })).toEqual({
      active: true,
      since: new Date("2026-12-01T08:30:00.000Z"),
    });
  });

  test.each([
    ["limit", "1e3"],
    ["limit", "0x10"],
    ["limit", " 5"],
    ["limit", ""],
    ["limit", "5abc"],
    ["ratio", ".5"],
    ["ratio", "Infinity"],
    ["active", "True"],
    ["active", "1"],
    ["active", "yes"],
    ["since", "2026-12-01"],
    ["since", "2026-12-01T08:30:00"],
    ["since", "1764577800000"],
    ["since", "2026-02-30T08:30:00Z"],
  ])("leaves %s=%j as text, so the schema rejects it", (key, text) => {
    expect(coerceQuery(Query, { [key]: text })).toEqual({ [key]: text });
    expect(parse({ [key]: text }).success).toBe(false);
  });

  test("leaves strings, enums, uuids and z.stringbool() alone", () => {
    const input = {
      name: "42",
      status: "SCHEDULED",
      id: "6b0e9d8e-9f0a-4c1e-8a57-0c2a4f0a0a0a",
      archived: "false",
    };
    expect(coerceQuery(Query, input)).toEqual(input);
    expect(parse(input)).toMatchObject({ success: true, data: { name: "42", archived: false } });
  });

  test("a number handed to z.coerce.number() still parses", () => {
    expect(parse({ legacyLimit: "7" })).toMatchObject({ success: true, data: { legacyLimit: 7 } });
  });

  test("leaves repeated keys and unknown keys for the schema to judge", () => {
    const input = { limit: ["1", "2"], tags: ["1"], extra: "3" };
    expect(coerceQuery(Query, input)).toEqual(input);
    expect(parse(input).success).toBe(false);
  });

  test("changes neither the input nor the schema", () => {
    const input = { limit: "5" };
    coerceQuery(Query, input);
    expect(input).toEqual({ limit: "5" });
    expect(Query.safeParse({ limit: "5" }).success).toBe(false);
  });
});
