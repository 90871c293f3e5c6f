import { z } from "zod";
import { ZPassword } from "#platform/auth/passwords.ts";
import { text, ZEmail, ZLocale, ZName, ZPhone } from "#platform/fields/fields.ts";
import { type RouteOptions, routeMeta } from "#platform/meta.ts";
import { named } from "#platform/named.ts";

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

const exampleToken = "kP3vX8qL2mZ7wR4tN9yB6cF1hJ5sD0gA";

export const ZRegisterInput = named(
  z.strictObject({
    email: ZEmail,
    password: ZPassword,
    firstName: ZName,
    lastName: ZName,
    phone: ZPhone.optional(),
    locale: ZLocale.optional(),
  }),
  "RegisterInput",
  {
    description: "A new patient account",
    example: {
      email: "yacine.haddad@example.dz",
      password: "correct-horse-battery-staple",
      firstName: "Yacine",
      lastName: "Haddad",
      phone: "+213551234567",
      locale: "fr",
    },
  },
);
export const ZLoginInput = named(
  z.strictObject({ email: ZEmail, password: text(1024, { min: 1, trim: false }) }),
  "LoginInput",
  {
    description: "Email and password",
    example: { email: "yacine.haddad@example.dz", password: "correct-horse-battery-staple" },
  },
);
/**
 * Any string: the service answers 401 to every unusable token, whatever its length (an access
 * token sent by mistake is longer than any refresh token); the body limit bounds it.
 */
export const ZRefreshInput = named(
  z.strictObject({
    refreshToken: z
      .string()
      .meta({ description: "The session's refresh token; any unusable text answers 401" }),
  }),
  "RefreshTokenInput",
  {
    description: "The refresh token of a session",
    example: {
      refreshToken: "0d5e2b7a-4c1f-4a9e-8b3d-6e2f7a1c9d40.q3X9vR2mT7kP1wZ8yL4nB6cF0hJ5sD2gA9uE7iO3xYk",
    },
  },
);
export const ZForgotInput = named(z.strictObject({ email: ZEmail }), "ForgotPasswordInput", {
  description: "The address to mail a reset link to",
  example: { email: "yacine.haddad@example.dz" },
});
export const ZResetInput = named(
  z.strictObject({ token: ZToken, newPassword: ZPassword }),
  "ResetPasswordInput",
  {
    description: "The token of a reset or invitation mail, and the new password",
    example: { token: exampleToken, newPassword: "another-long-passphrase" },
  },
);
export const ZVerifyEmailInput = named(z.strictObject({ token: ZToken }), "VerifyEmailInput", {
  description: "The token of a verification mail",
  example: { token: exampleToken },
});
