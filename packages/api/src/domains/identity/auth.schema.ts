import { z } from "zod";
import { ZPassword } from "#platform/auth/passwords.ts";
import { ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import type { Meta } from "#platform/meta.ts";

const post = (path: `/${string}`, summary: string, extra: Partial<Meta> = {}, errors: number[] = []) =>
  ({
    openapi: {
      method: "POST",
      path,
      tags: ["auth"],
      summary,
      protect: false,
      errorResponses: [...errors, 429],
    },
    ...extra,
  }) satisfies Meta;

export const registerMeta = post(
  "/auth/register",
  "Create a patient account and sign in",
  {
    successStatus: 201,
    successMessage: "Account created",
  },
  [409],
);
export const loginMeta = post(
  "/auth/login",
  "Sign in with email and password",
  { successMessage: "Signed in" },
  [401, 403],
);
export const refreshMeta = post(
  "/auth/refresh",
  "Exchange a refresh token for a new pair (the old one is spent)",
  {},
  [401],
);
export const logoutMeta = post(
  "/auth/logout",
  "End the session of a refresh token",
  { successMessage: "Signed out" },
  [401],
);
export const logoutAllMeta = {
  openapi: {
    method: "POST",
    path: "/auth/logout-all",
    tags: ["auth"],
    summary: "End every session of the caller",
  },
  successMessage: "Signed out everywhere",
} satisfies Meta;
export const forgotMeta = post(
  "/auth/forgot",
  "Mail a password reset link (same answer for unknown emails)",
  {
    successStatus: 202,
    successMessage: "If the address has an account, a reset link is on its way",
  },
);
export const resetMeta = post("/auth/reset", "Set a new password with a reset or invitation token", {
  successMessage: "Password set; sign in again",
});
export const verifyEmailMeta = post("/auth/verify-email", "Confirm an email address with its token", {
  successMessage: "Email verified",
});

const ZToken = z.string().min(16).max(256);

export const ZRegisterInput = z.strictObject({
  email: ZEmail,
  password: ZPassword,
  firstName: ZName,
  lastName: ZName,
  phone: ZPhone.optional(),
  locale: ZLocale.optional(),
});
export const ZLoginInput = z.strictObject({ email: ZEmail, password: z.string().min(1).max(1024) });
export const ZRefreshInput = z.strictObject({ refreshToken: z.string().min(1).max(256) });
export const ZForgotInput = z.strictObject({ email: ZEmail });
export const ZResetInput = z.strictObject({ token: ZToken, newPassword: ZPassword });
export const ZVerifyEmailInput = z.strictObject({ token: ZToken });
