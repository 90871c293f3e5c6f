import { z } from "zod";
import { ZPassword } from "#platform/auth/passwords.ts";
import { ROLES } from "#platform/auth/roles.ts";
import { requireAChange, text, ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { pageOf } from "#platform/list.ts";
import { routeMeta } from "#platform/meta.ts";
import { ZUserDto } from "./user-dto.ts";
import { userList } from "./users.service.ts";

const route = routeMeta(["users"]);

/** The REST route of each procedure. */
export const userRoutes = {
  me: route("GET", "/users/me", "The caller's account"),
  updateMe: route("PATCH", "/users/me", "Change the caller's names, phone or locale", {
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
  update: route("PATCH", "/users/{id}", "Change an account: names, phone, locale, role, active (admin)", {
    errors: ["NOT_FOUND", "LAST_ADMIN"],
    successMessage: "Account updated",
  }),
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
};

export const ZUpdateMeInput = requireAChange(z.strictObject(profileFields));
export const ZChangePasswordInput = z.strictObject({
  currentPassword: text(1024, { min: 1, trim: false }),
  newPassword: ZPassword,
});
export const ZListUsersInput = userList.input.extend({
  role: z.enum(ROLES).optional(),
  isActive: z.boolean().optional(),
  q: text(100, { min: 1 }).optional(),
});
export const ZCreateUserInput = z.strictObject({
  email: ZEmail,
  firstName: ZName,
  lastName: ZName,
  role: z.enum(ROLES),
  phone: ZPhone.optional(),
  locale: ZLocale.optional(),
});
export const ZUpdateUserInput = requireAChange(
  z.strictObject({
    id: z.uuid(),
    ...profileFields,
    role: z.enum(ROLES).optional(),
    isActive: z.boolean().optional(),
  }),
  "id",
);
export const ZUserPage = pageOf(ZUserDto);
