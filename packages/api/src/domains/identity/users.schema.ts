import { z } from "zod";
import { ZPassword } from "#platform/auth/passwords.ts";
import { ROLES } from "#platform/auth/roles.ts";
import { requireAChange, text, ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { ZTimeZone } from "#platform/fields/time-zone.ts";
import { pageOf } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";
import { ZUserDto } from "./user-dto.ts";
import { userList } from "./users.service.ts";

const route = routeMeta(["users"]);

/** The REST route of each procedure. */
export const userRoutes = {
  me: route("GET", "/users/me", "The caller's account"),
  updateMe: route("PATCH", "/users/me", "Change the caller's names, phone, locale or time zone", {
    successMessage: "Profile updated",
  }),
  changePassword: route("POST", "/users/me/password", "Change the caller's password (other sessions end)", {
    errors: ["INVALID_CREDENTIALS", "WEAK_PASSWORD", "RATE_LIMITED"],
    successMessage: "Password changed",
  }),
  list: route("GET", "/users", "List accounts (admin)"),
  create: route("POST", "/users", "Create an account and mail an invitation (admin)", {
    errors: ["EMAIL_TAKEN"],
    successStatus: 201,
    successMessage: "Account created; invitation sent",
  }),
  get: route("GET", "/users/{id}", "One account (admin)", { errors: ["NOT_FOUND"] }),
  update: route(
    "PATCH",
    "/users/{id}",
    "Change an account: names, phone, locale, time zone, role, active (admin)",
    {
      errors: ["NOT_FOUND", "LAST_ADMIN"],
      successMessage: "Account updated",
    },
  ),
  delete: route("DELETE", "/users/{id}", "Deactivate an account; its sessions end (admin)", {
    errors: ["NOT_FOUND", "LAST_ADMIN"],
    successMessage: "Account deactivated",
  }),
};

const profileFields = {
  firstName: ZName.optional(),
  lastName: ZName.optional(),
  phone: ZPhone.nullable().optional(),
  locale: ZLocale.optional(),
  timezone: ZTimeZone.optional(),
};

export const ZUpdateMeInput = named(requireAChange(z.strictObject(profileFields)), "UpdateMyAccountInput", {
  description: "The fields to change (at least one)",
  example: { phone: "+213551234567", locale: "ar", timezone: "Africa/Algiers" },
});
export const ZChangePasswordInput = named(
  z.strictObject({
    currentPassword: text(1024, { min: 1, trim: false }),
    newPassword: ZPassword,
  }),
  "ChangePasswordInput",
  {
    description: "The current password and the new one",
    example: { currentPassword: "correct-horse-battery-staple", newPassword: "another-long-passphrase" },
  },
);
// Each filter is described before `.optional()`: the REST generator rebuilds optional query wrappers.
export const ZListUsersInput = userList.input.extend({
  role: z.enum(ROLES).meta({ description: "Accounts of this role" }).optional(),
  isActive: z
    .boolean()
    .meta({ description: "Active (true) or deactivated (false) accounts only" })
    .optional(),
  q: text(100, { min: 1 })
    .meta({ description: "Text within the names or email, accent- and case-insensitive" })
    .optional(),
});
export const ZCreateUserInput = named(
  z.strictObject({
    email: ZEmail,
    firstName: ZName,
    lastName: ZName,
    role: z.enum(ROLES),
    phone: ZPhone.optional(),
    locale: ZLocale.optional(),
  }),
  "CreateUserInput",
  {
    description: "A new account; the person sets a password from the invitation mail",
    example: { email: "salima.meziane@example.dz", firstName: "Salima", lastName: "Meziane", role: "STAFF" },
  },
);
export const ZUpdateUserInput = named(
  requireAChange(
    z.strictObject({
      id: z.uuid(),
      ...profileFields,
      role: z.enum(ROLES).optional(),
      isActive: z.boolean().optional(),
    }),
    "id",
  ),
  "UpdateUserInput",
  {
    description: "The fields to change (at least one); a role change ends the account's sessions",
    example: { id: "6f4b8e1d-3c7a-4f2e-9a5b-1d8c6e2f4a37", role: "STAFF" },
  },
);
export const ZUserPage = pageOf(ZUserDto, "UserPage");
