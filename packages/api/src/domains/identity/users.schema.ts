import { z } from "zod";
import { ZPassword } from "#platform/auth/passwords.ts";
import { ROLES } from "#platform/auth/roles.ts";
import { ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { pageOf } from "#platform/list.ts";
import type { Meta } from "#platform/meta.ts";
import { ZUserDto } from "./user-dto.ts";
import { userList } from "./users.service.ts";

const tags = ["users"];
export const meMeta = {
  openapi: { method: "GET", path: "/users/me", tags, summary: "The caller's account" },
} satisfies Meta;
export const updateMeMeta = {
  openapi: {
    method: "PATCH",
    path: "/users/me",
    tags,
    summary: "Change the caller's names, phone or locale",
  },
  successMessage: "Profile updated",
} satisfies Meta;
export const changePasswordMeta = {
  openapi: {
    method: "POST",
    path: "/users/me/password",
    tags,
    summary: "Change the caller's password (other sessions end)",
  },
  successMessage: "Password changed",
} satisfies Meta;
export const listMeta = {
  openapi: { method: "GET", path: "/users", tags, summary: "List accounts (admin)" },
} satisfies Meta;
export const createMeta = {
  openapi: {
    method: "POST",
    path: "/users",
    tags,
    summary: "Create an account and mail an invitation (admin)",
    errorResponses: [409],
  },
  successStatus: 201,
  successMessage: "Account created; invitation sent",
} satisfies Meta;
export const getMeta = {
  openapi: {
    method: "GET",
    path: "/users/{id}",
    tags,
    summary: "One account (admin)",
    errorResponses: [404],
  },
} satisfies Meta;
export const updateMeta = {
  openapi: {
    method: "PATCH",
    path: "/users/{id}",
    tags,
    summary: "Change an account: names, phone, locale, role, active (admin)",
    errorResponses: [404, 409],
  },
  successMessage: "Account updated",
} satisfies Meta;
export const deleteMeta = {
  openapi: {
    method: "DELETE",
    path: "/users/{id}",
    tags,
    summary: "Deactivate an account; its sessions end (admin)",
    errorResponses: [404, 409],
  },
  successMessage: "Account deactivated",
} satisfies Meta;

const profileFields = {
  firstName: ZName.optional(),
  lastName: ZName.optional(),
  phone: ZPhone.nullable().optional(),
  locale: ZLocale.optional(),
};

export const ZUpdateMeInput = z.strictObject(profileFields);
export const ZChangePasswordInput = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: ZPassword,
});
export const ZListUsersInput = userList.input.extend({
  role: z.enum(ROLES).optional(),
  isActive: z.boolean().optional(),
  q: z.string().trim().min(1).max(100).optional(),
});
export const ZCreateUserInput = z.strictObject({
  email: ZEmail,
  firstName: ZName,
  lastName: ZName,
  role: z.enum(ROLES),
  phone: ZPhone.optional(),
  locale: ZLocale.optional(),
});
export const ZUserIdInput = z.strictObject({ id: z.uuid() });
export const ZUpdateUserInput = z.strictObject({
  id: z.uuid(),
  ...profileFields,
  role: z.enum(ROLES).optional(),
  isActive: z.boolean().optional(),
});
export const ZUserPage = pageOf(ZUserDto);
