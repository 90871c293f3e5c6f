import type { User } from "@medical/db/schema";
import { z } from "zod";
import { ROLES } from "#platform/auth/roles.ts";

/** What any client may see of an account: never a hash, a token or an internal flag. */
export const ZUserDto = z.object({
  id: z.uuid(),
  email: z.email(),
  role: z.enum(ROLES),
  firstName: z.string(),
  lastName: z.string(),
  phone: z.string().nullable(),
  locale: z.string(),
  isActive: z.boolean(),
  emailVerified: z.boolean(),
  createdAt: z.date(),
});
export type UserDto = z.infer<typeof ZUserDto>;

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    firstName: user.firstName,
    lastName: user.lastName,
    phone: user.phone,
    locale: user.locale,
    isActive: user.isActive,
    emailVerified: user.emailVerifiedAt !== null,
    createdAt: user.createdAt,
  };
}
