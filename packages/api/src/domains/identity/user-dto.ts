import { type User, users } from "@medical/db/schema";
import { z } from "zod";
import { ROLES } from "#platform/auth/roles.ts";
import { ZTimestamp } from "#platform/fields/fields.ts";
import { named } from "#platform/named.ts";

/** What any client may see of an account: never a hash, a token or an internal flag. */
const ZUser = z.object({
  id: z.uuid(),
  email: z.email(),
  role: z.enum(ROLES),
  firstName: z.string(),
  lastName: z.string(),
  phone: z.string().nullable().meta({ description: "E.164, e.g. +213551234567" }),
  locale: z.string().meta({
    description: "BCP-47 language tag: the language of the mails and notifications it receives",
  }),
  timezone: z.string().meta({
    description: "IANA time zone the account's notifications show times in, e.g. Africa/Algiers",
  }),
  isActive: z.boolean(),
  emailVerified: z.boolean(),
  createdAt: ZTimestamp,
});
export type UserDto = z.infer<typeof ZUser>;

/** The document's example account, which the session example carries too. */
export const userExample: UserDto = {
  id: "6f4b8e1d-3c7a-4f2e-9a5b-1d8c6e2f4a37",
  email: "yacine.haddad@example.dz",
  role: "PATIENT",
  firstName: "Yacine",
  lastName: "Haddad",
  phone: "+213551234567",
  locale: "fr",
  timezone: "Africa/Algiers",
  isActive: true,
  emailVerified: true,
  createdAt: new Date("2026-11-02T09:15:00.000Z"),
};

export const ZUserDto = named(ZUser, "User", {
  description: "An account: what any client may see of it, never a hash, a token or an internal flag",
  example: userExample,
});

/** The columns a DTO is built from: a read that only answers the DTO selects no more. */
export const userDtoColumns = {
  id: users.id,
  email: users.email,
  role: users.role,
  firstName: users.firstName,
  lastName: users.lastName,
  phone: users.phone,
  locale: users.locale,
  timezone: users.timezone,
  isActive: users.isActive,
  emailVerifiedAt: users.emailVerifiedAt,
  createdAt: users.createdAt,
};
export type UserDtoRow = Pick<User, keyof typeof userDtoColumns>;

export function toUserDto(user: UserDtoRow): UserDto {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    firstName: user.firstName,
    lastName: user.lastName,
    phone: user.phone,
    locale: user.locale,
    timezone: user.timezone,
    isActive: user.isActive,
    emailVerified: user.emailVerifiedAt !== null,
    createdAt: user.createdAt,
  };
}
