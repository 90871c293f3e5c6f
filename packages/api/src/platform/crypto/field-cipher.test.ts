import { describe, expect, test } from "vitest";
import { createFieldCipher } from "./field-cipher.ts";

const oldKey = { id: "k1", key: Buffer.alloc(32, 1) };
const newKey = { id: "k2", key: Buffer.alloc(32, 2) };

describe("keyed digests", () => {
  test("equal values digest equal under one key; another value, purpose or key digests otherwise", () => {
    const cipher = createFieldCipher([oldKey]);
    const [digest] = cipher.digests("CNAS\u0000160412", "policies");
    expect(cipher.digests("CNAS\u0000160412", "policies")).toEqual([digest]);
    expect(digest).toMatch(/^d1\.k1\.[A-Za-z0-9_-]{43}$/);
    expect(digest).not.toContain("160412");
    expect(cipher.digests("CNAS\u0000160413", "policies")[0]).not.toBe(digest);
    expect(cipher.digests("CNAS\u0000160412", "other")[0]).not.toBe(digest);
    expect(createFieldCipher([newKey]).digests("CNAS\u0000160412", "policies")[0]).not.toBe(digest);
  });

  test("one digest per configured key, the current key's first; isCurrent tells them apart", () => {
    const before = createFieldCipher([oldKey]);
    const rotated = createFieldCipher([newKey, oldKey]);
    const [older] = before.digests("x", "p");
    const digests = rotated.digests("x", "p");
    expect(digests).toHaveLength(2);
    expect(digests[1]).toBe(older);
    expect(rotated.isCurrent(digests[0])).toBe(true);
    expect(older && rotated.isCurrent(older)).toBe(false);
  });
});
