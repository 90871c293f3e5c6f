import { describe, expect, test } from "vitest";
import { createFieldCipher } from "#platform/crypto/field-cipher.ts";
import { normalizePolicyNumber, normalizeProvider, policyNumberKeys } from "./policy-number.ts";

describe("what makes two policy numbers one", () => {
  test("numbers compare by their letters and digits, case aside", () => {
    for (const spelling of ["16-0412-7788-21", "16 0412 7788 21", " 160412778821 ", "16.0412/7788-21"])
      expect(normalizePolicyNumber(spelling), spelling).toBe("160412778821");
    expect(normalizePolicyNumber("ab-12")).toBe(normalizePolicyNumber("AB12"));
    // Full-width digits are digits (NFKC).
    expect(normalizePolicyNumber("１６-０４")).toBe("1604");
    expect(normalizePolicyNumber("16-0412")).not.toBe(normalizePolicyNumber("16-0413"));
  });

  test("providers compare with accents, case and runs of spaces aside", () => {
    expect(normalizeProvider("  Mutuelle   générale ")).toBe("MUTUELLE GENERALE");
    expect(normalizeProvider("cnas")).toBe(normalizeProvider("CNAS"));
    expect(normalizeProvider("CNAS")).not.toBe(normalizeProvider("CASNOS"));
  });

  test("the key binds the provider to the number: no provider and number pair runs into another", () => {
    const cipher = createFieldCipher([{ id: "k1", key: Buffer.alloc(32, 1) }]);
    const key = (provider: string, number: string) => policyNumberKeys(cipher, provider, number)[0];
    expect(key("cnas", "16-0412")).toBe(key("CNAS", "160412"));
    expect(key("CNAS", "160412")).not.toBe(key("CASNOS", "160412"));
    expect(key("CNAS1", "60412")).not.toBe(key("CNAS", "160412"));
  });
});
