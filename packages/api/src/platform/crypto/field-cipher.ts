import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";

export interface EncryptionKey {
  /** Short id stored with every value, so old keys keep decrypting after a rotation. */
  id: string;
  /** 32 bytes: AES-256 */
  key: Buffer;
}

/** Where a value lives: bound into the ciphertext, so it cannot be moved to another row. */
export interface CipherContext {
  table: string;
  column: string;
  rowId: string;
}

export class FieldDecryptionError extends Error {
  override readonly name = "FieldDecryptionError";
}

export interface FieldCipher {
  /** `v1.<key id>.<iv>.<ciphertext+tag>` (base64url parts), encrypted with the first key. */
  encrypt(plaintext: string, context: CipherContext): string;
  decrypt(stored: string, context: CipherContext): string;
  /**
   * Keyed digests of `value` for `purpose`, `d1.<key id>.<HMAC-SHA256>`, one per configured key,
   * the current key's first: for a column compared but never read (a unique index over an
   * encrypted value). Equal values give equal digests under one key; without the key a digest
   * tells nothing of its value, however guessable. Each purpose has keys of its own (HKDF), so a
   * digest of one column is no digest of another.
   */
  digests(value: string, purpose: string): [current: string, ...older: string[]];
  /** True when the value (a ciphertext or a digest) is already under the first (current) key. */
  isCurrent(stored: string): boolean;
}

const VERSION = "v1";
const DIGEST_VERSION = "d1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

const associatedData = ({ table, column, rowId }: CipherContext) =>
  Buffer.from(`${table}\u0000${column}\u0000${rowId}`, "utf8");

/**
 * AES-256-GCM for clinical fields. The first key encrypts; every listed key decrypts, so a new
 * key can be put first and old values re-encrypted later (`pnpm keys:rotate`).
 */
export function createFieldCipher(keys: readonly EncryptionKey[]): FieldCipher {
  const [current] = keys;
  if (!current) throw new Error("at least one encryption key is required");
  for (const { id, key } of keys) {
    if (key.length !== 32 || !/^[A-Za-z0-9_-]{1,32}$/.test(id))
      throw new Error(`encryption key ${id} is not a 32-byte key with a short id`);
  }
  // KeyObjects made once: a raw Buffer key is copied into a new key object at every cipher (a
  // twentieth of a records page's CPU under load).
  const byId = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
  const currentKey = createSecretKey(current.key);
  // Derived once per key and purpose: the encryption key itself never keys an HMAC.
  const macKeys = new Map<string, KeyObject>();
  const digestUnder = ({ id, key }: EncryptionKey, value: string, purpose: string) => {
    const name = `${id}\u0000${purpose}`;
    let macKey = macKeys.get(name);
    if (!macKey) {
      macKey = createSecretKey(
        Buffer.from(hkdfSync("sha256", key, Buffer.alloc(0), `field-digest\u0000${purpose}`, 32)),
      );
      macKeys.set(name, macKey);
    }
    return [DIGEST_VERSION, id, createHmac("sha256", macKey).update(value, "utf8").digest("base64url")].join(
      ".",
    );
  };
  return {
    encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", currentKey, iv);
      cipher.setAAD(associatedData(context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return [VERSION, current.id, iv.toString("base64url"), body.toString("base64url")].join(".");
    },
    decrypt(stored, context) {
      const [version, keyId, iv, body, extra] = stored.split(".");
      const key = keyId ? byId.get(keyId) : undefined;
      if (version !== VERSION || !key || !iv || !body || extra !== undefined) {
        throw new FieldDecryptionError("unreadable or unknown-key ciphertext");
      }
      const data = Buffer.from(body, "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAAD(associatedData(context));
        decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(data.subarray(0, data.length - TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        // Wrong key, tampered bytes, or a value copied from another row (associated data differs).
        throw new FieldDecryptionError("ciphertext does not authenticate for this row");
      }
    },
    digests(value, purpose) {
      const [, ...older] = keys;
      return [digestUnder(current, value, purpose), ...older.map((key) => digestUnder(key, value, purpose))];
    },
    isCurrent(stored) {
      return stored.split(".")[1] === current.id;
    },
  };
}

/**
 * `kid:base64key,...` (ENCRYPTION_KEYS, API-CONTRACT §5), the first key current. Returns null
 * when an entry is malformed, a key is not 32 bytes, or an id repeats; configuration modules
 * turn that into their own message, never printing the value.
 */
export function parseEncryptionKeys(text: string): EncryptionKey[] | null {
  const keys = text.split(",").map((entry) => {
    const [id = "", encoded = "", extra] = entry.trim().split(":");
    return { id, key: Buffer.from(encoded, "base64"), valid: extra === undefined };
  });
  const wellFormed = keys.every(
    ({ id, key, valid }) => valid && /^[A-Za-z0-9_-]{1,32}$/.test(id) && key.length === 32,
  );
  if (!wellFormed || new Set(keys.map((k) => k.id)).size !== keys.length) return null;
  return keys.map(({ id, key }) => ({ id, key }));
}
