import { z } from "zod";
import { ZPassword } from "#platform/auth/passwords.ts";
import { text, ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { type RouteOptions, routeMeta } from "#platform/meta.ts";

const route = routeMeta(["auth"]);

/** A route for anyone, without a bearer token. */
const publicPost = (path: `/${string}`, summary: string, options: RouteOptions = {}) =>
  route("POST", path, summary, { protect: false, ...options });

/** The REST route of each procedure. */
export const authRoutes = {
  register: publicPost("/auth/register", "Create a patient account and sign in", {
    errors: ["EMAIL_TAKEN", "WEAK_PASSWORD", "RATE_LIMITED"],
    successStatus: 201,
    successMessage: "Account created",
  }),
  login: publicPost("/auth/login", "Sign in with email and password", {
    errors: ["INVALID_CREDENTIALS", "EMAIL_NOT_VERIFIED", "RATE_LIMITED"],
    successMessage: "Signed in",
  }),
  refresh: publicPost("/auth/refresh", "Exchange a refresh token for a new pair (the old one is spent)", {
    errors: ["UNAUTHENTICATED"],
  }),
  logout: publicPost("/auth/logout", "End the session of a refresh token", {
    errors: ["UNAUTHENTICATED"],
    successMessage: "Signed out",
  }),
  logoutAll: route("POST", "/auth/logout-all", "End every session of the caller", {
    successMessage: "Signed out everywhere",
  }),
  forgot: publicPost("/auth/forgot", "Mail a password reset link (same answer for unknown emails)", {
    errors: ["RATE_LIMITED"],
    successStatus: 202,
    successMessage: "If the address has an account, a reset link is on its way",
  }),
  reset: publicPost("/auth/reset", "Set a new password with a reset or invitation token", {
    errors: ["INVALID_TOKEN", "WEAK_PASSWORD", "RATE_LIMITED"],
    successMessage: "Password set; sign in again",
  }),
  verifyEmail: publicPost("/auth/verify-email", "Confirm an email address with its token", {
    errors: ["INVALID_TOKEN", "RATE_LIMITED"],
    successMessage: "Email verified",
  }),
};

const ZToken = text(256, { min: 16, trim: false });

export const ZRegisterInput = z.strictObject({
  email: ZEmail,
  password: ZPassword,
  firstName: ZName,
  lastName: ZName,
  phone: ZPhone.optional(),
  locale: ZLocale.optional(),
});
export const ZLoginInput = z.strictObject({ email: ZEmail, password: text(1024, { min: 1, trim: false }) });
/**
 * Any string: the service answers 401 to every unusable token, whatever its length (an access
 * token sent by mistake is longer than any refresh token); the body limit bounds it.
 */
export const ZRefreshInput = z.strictObject({ refreshToken: z.string() });
export const ZForgotInput = z.strictObject({ email: ZEmail });
export const ZResetInput = z.strictObject({ token: ZToken, newPassword: ZPassword });
export const ZVerifyEmailInput = z.strictObject({ token: ZToken });
