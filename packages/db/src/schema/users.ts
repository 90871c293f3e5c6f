import { sql } from "drizzle-orm";
import { index, pgTable, uniqueIndex } from "drizzle-orm/pg-core";
import { id, ref, timestamptz } from "./columns.ts";

/** Roles exist as rows (seeded by the migration) and as this closed list in code. */
export const ROLES = ["ADMIN", "DOCTOR", "PATIENT", "STAFF"] as const;
export type Role = (typeof ROLES)[number];

export const roles = pgTable("roles", (t) => ({
  name: t.varchar({ length: 20 }).primaryKey().$type<Role>(),
  description: t.varchar({ length: 200 }).notNull(),
}));

export const users = pgTable(
  "users",
  (t) => ({
    id: id(),
    /** Stored lower-cased; unique case-insensitively through the index below too. */
    email: t.varchar({ length: 254 }).notNull(),
    /** argon2id; null for an invited account that has not chosen a password yet. */
    passwordHash: t.text(),
    role: t
      .varchar({ length: 20 })
      .notNull()
      .references(() => roles.name)
      .$type<Role>(),
    isActive: t.boolean().notNull().default(true),
    emailVerifiedAt: timestamptz(),
    firstName: t.varchar({ length: 100 }).notNull(),
    lastName: t.varchar({ length: 100 }).notNull(),
    /** E.164, e.g. +213551234567 */
    phone: t.varchar({ length: 16 }),
    /** BCP-47 tag: fr, ar, kab, en */
    locale: t.varchar({ length: 35 }).notNull().default("fr"),
    /** IANA zone the account's times are shown in (notifications; reminders and quiet hours later). */
    timezone: t.varchar({ length: 64 }).notNull().default("Africa/Algiers"),
    createdAt: timestamptz().notNull().defaultNow(),
    updatedAt: timestamptz().notNull().defaultNow(),
    /** Accent- and case-free "first last email" for admin search (pg_trgm). */
    searchKey: t
      .text()
      .generatedAlwaysAs(
        (): ReturnType<typeof sql> =>
          sql`f_search_key(${users.firstName} || ' ' || ${users.lastName} || ' ' || ${users.email})`,
      ),
  }),
  (t) => [
    uniqueIndex("users_email_lower_key").on(sql`lower(${t.email})`),
    index("users_created_id").on(t.createdAt, t.id),
    index("users_role_created_id").on(t.role, t.createdAt, t.id),
    index("users_search_key_trgm").using("gin", sql`${t.searchKey} gin_trgm_ops`),
  ],
);

export const SESSION_REVOCATION_REASONS = [
  "LOGOUT",
  "LOGOUT_ALL",
  "PASSWORD_CHANGED",
  "PASSWORD_RESET",
  "DEACTIVATED",
  "ROLE_CHANGED",
  "REFRESH_REUSE",
] as const;
export type SessionRevocationReason = (typeof SESSION_REVOCATION_REASONS)[number];

/** One row per login: the refresh-token family. The current refresh token is stored hashed. */
export const sessions = pgTable(
  "sessions",
  (t) => ({
    id: id(),
    userId: ref(() => users.id),
    refreshTokenHash: t.varchar({ length: 64 }).notNull(),
    userAgent: t.varchar({ length: 300 }),
    ip: t.varchar({ length: 45 }),
    createdAt: timestamptz().notNull().defaultNow(),
    lastUsedAt: timestamptz().notNull().defaultNow(),
    expiresAt: timestamptz().notNull(),
    revokedAt: timestamptz(),
    revokedReason: t.varchar({ length: 30 }).$type<SessionRevocationReason>(),
  }),
  (t) => [
    index("sessions_user_active").on(t.userId).where(sql`${t.revokedAt} is null`),
    // A login asks whether the account signed in from this address before (a new sign-in is told).
    index("sessions_user_ip").on(t.userId, t.ip),
  ],
);

export const USER_TOKEN_PURPOSES = ["PASSWORD_RESET", "INVITATION", "EMAIL_VERIFICATION"] as const;
export type UserTokenPurpose = (typeof USER_TOKEN_PURPOSES)[number];

/** Single-use tokens sent by mail, stored as SHA-256 hashes. */
export const userTokens = pgTable(
  "user_tokens",
  (t) => ({
    id: id(),
    userId: ref(() => users.id),
    purpose: t.varchar({ length: 30 }).notNull().$type<UserTokenPurpose>(),
    tokenHash: t.varchar({ length: 64 }).notNull().unique(),
    createdAt: timestamptz().notNull().defaultNow(),
    expiresAt: timestamptz().notNull(),
    usedAt: timestamptz(),
  }),
  (t) => [index("user_tokens_user_open").on(t.userId).where(sql`${t.usedAt} is null`)],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Session = typeof sessions.$inferSelect;
export type UserToken = typeof userTokens.$inferSelect;
