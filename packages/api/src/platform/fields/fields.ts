import { isValidPhoneNumber } from "libphonenumber-js";
import { z } from "zod";

/** Field formats of API-CONTRACT §4, shared by every domain. */

/** The largest value of an int4 column: the bound of a count read from one. */
export const INT4_MAX = 2_147_483_647;

/**
 * Text a client sends (a name, a search term, a reason, a token): trimmed unless `trim: false`
 * (passwords and tokens keep every character), at most `max` characters, and never U+0000, which
 * PostgreSQL's text cannot store (it would fail the query instead of refusing the input).
 */
export function text(max: number, { min = 0, trim = true }: { min?: number; trim?: boolean } = {}) {
  const base = (trim ? z.string().trim() : z.string())
    .refine((value) => !value.includes("\u0000"), "Must not contain the NUL character (U+0000)")
    .max(max);
  return min > 0 ? base.min(min) : base;
}

/** Whether a value changes something: a nested object only if one of its own fields does. */
function changes(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Date)
    return true;
  return Object.values(value).some(changes);
}

/**
 * A change (PATCH) of all-optional fields must name one to change: an empty one (`{}`, or
 * `{ clinical: {} }`) is a client mistake, not a write of nothing. `keys` are the fields that say
 * which row the change is about (`id`), not what it changes.
 */
export function requireAChange<T extends z.ZodObject>(schema: T, ...keys: string[]) {
  return schema.refine(
    (input) => Object.entries(input).some(([key, value]) => !keys.includes(key) && changes(value)),
    "Send at least one field to change",
  );
}

/** Trimmed and lower-cased before the format check; the document shows the format on the text it takes. */
export const ZEmail = z.string().trim().toLowerCase().max(254).meta({ format: "email" }).pipe(z.email());

/**
 * An instant (a `Date` for tRPC callers; an ISO-8601 instant in a REST query, converted by the
 * REST layer), within the years both JavaScript and PostgreSQL's timestamptz represent.
 */
export const ZInstant = z
  .date()
  .min(new Date("0001-01-01T00:00:00Z"), "Expected an instant after year 1")
  .max(new Date("9999-12-31T23:59:59Z"), "Expected an instant before year 10000");

export const ZName = text(100, { min: 1 });

/** E.164 only (`+213551234567`), and a number that exists in its country's plan. */
export const ZPhone = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, "Expected an E.164 phone number such as +213551234567")
  .refine((value) => isValidPhoneNumber(value), "Not a valid phone number for its country code");

/** A BCP-47 language tag (`fr`, `ar-DZ`, `kab`), stored in its canonical form. */
export const ZLocale = z
  .string()
  .min(2)
  .max(35)
  .transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical) return canonical;
    } catch {
      // Reported below.
    }
    ctx.addIssue({ code: "custom", message: "Expected a BCP-47 language tag such as fr, ar or kab" });
    return z.NEVER;
  });

/** ISO 3166-1 alpha-2, upper case. */
export const ZCountry = z
  .string()
  .regex(/^[A-Za-z]{2}$/, "Expected an ISO 3166-1 alpha-2 country code such as DZ")
  .transform((code) => code.toUpperCase());

/** An instant in an answer: a `Date` for tRPC callers, an ISO-8601 UTC string in REST JSON. */
export const ZTimestamp = z.date().meta({ format: "date-time" });

/** The input of a route about one resource (`/doctors/{id}`): nothing but its id. */
export const ZIdInput = z.strictObject({ id: z.uuid() });
