import { describe, expect, test } from "vitest";
import { originMatcher } from "./cors.ts";

describe("CORS origin patterns", () => {
  const allowed = originMatcher(["http://localhost:*", "https://*.clinic.dz", "https://app.example.com"]);

  test.each([
    "http://localhost:5173",
    "http://localhost:3000",
    "https://oran.clinic.dz",
    "https://app.example.com",
  ])("allows %s", (origin) => {
    expect(allowed(origin)).toBe(true);
  });

  test.each([
    "http://localhost",
    "http://localhost:5173.evil.example",
    "https://localhost:5173",
    "https://clinic.dz",
    "https://a.b.clinic.dz",
    "https://evil.clinic.dz.example",
    "https://app.example.com.evil",
    "https://appxexample.com",
  ])("refuses %s", (origin) => {
    expect(allowed(origin)).toBe(false);
  });

  test("allows nothing without patterns", () => {
    expect(originMatcher([])("http://localhost:3000")).toBe(false);
  });
});
