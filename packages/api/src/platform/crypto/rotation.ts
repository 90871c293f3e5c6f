import { type CipherContext, type FieldCipher, FieldDecryptionError } from "./field-cipher.ts";

/** What a key rotation did to the encrypted values of one kind of row. */
export interface RotationCounts {
  /** Rows with encrypted values looked at. */
  scanned: number;
  /** Re-encrypted under the current (first) key. */
  rotated: number;
  /** Already under the current key. */
  current: number;
  /** Changed by someone else between read and write: run the rotation again. */
  skipped: number;
  /** Do not decrypt with any configured key (a missing key or tampering): left untouched. */
  unreadable: number;
}

export const noRotation = (): RotationCounts => ({
  scanned: 0,
  rotated: 0,
  current: 0,
  skipped: 0,
  unreadable: 0,
});

export type Reencryption =
  | { kind: "current" }
  /** `value` replaces `stored`: an update guarded on `stored` skips a row changed meanwhile. */
  | { kind: "rotated"; value: string; stored: string }
  | { kind: "unreadable" };

/**
 * A stored value under the current key: "current" when it already is (or is null), a new
 * ciphertext, or "unreadable" when no configured key decrypts it for its context.
 */
export function reencrypt(cipher: FieldCipher, stored: string | null, context: CipherContext): Reencryption {
  if (stored === null || cipher.isCurrent(stored)) return { kind: "current" };
  const plaintext = openForRotation(cipher, stored, context);
  if (plaintext === null) return { kind: "unreadable" };
  return { kind: "rotated", value: cipher.encrypt(plaintext, context), stored };
}

/** A stored value's plaintext, or null when no configured key decrypts it for its context. */
export function openForRotation(cipher: FieldCipher, stored: string, context: CipherContext): string | null {
  try {
    return cipher.decrypt(stored, context);
  } catch (error) {
    if (error instanceof FieldDecryptionError) return null;
    throw error;
  }
}
