import { describe, expect, test } from "vitest";
import { isKnownTimeZone, ZTimeZone } from "./time-zone.ts";

describe("time zone names", () => {
  test("isKnownTimeZone takes the zones the library knows by name", () => {
    for (const zone of ["Africa/Algiers", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"])
      expect(isKnownTimeZone(zone)).toBe(true);
    for (const zone of ["", "Mars/Olympus_Mons", "+01:00", "Europe/Paris ", "Europe/Paris\n"])
      expect(isKnownTimeZone(zone)).toBe(false);
  });

  test("ZTimeZone stores the library's spelling and explains a refusal", () => {
    expect(ZTimeZone.parse("europe/paris")).toBe("Europe/Paris");
    const refused = ZTimeZone.safeParse("Europe/Atlantis");
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe("Expected an IANA time zone such as Africa/Algiers");
  });
});
