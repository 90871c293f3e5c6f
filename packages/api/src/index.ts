export { type AccessTokens, createAccessTokens } from "./auth/access-tokens.ts";
export type { Actor } from "./auth/actor.ts";
export { createArgon2Hasher, type PasswordHasher } from "./auth/passwords.ts";
export { ROLES, type Role } from "./auth/roles.ts";
export {
  type Context,
  type CreateContextOptions,
  createContextFactory,
  type RequestOrigin,
} from "./context.ts";
export {
  type CipherContext,
  createFieldCipher,
  type EncryptionKey,
  type FieldCipher,
  FieldDecryptionError,
  parseEncryptionKeys,
} from "./crypto/field-cipher.ts";
export { type Clock, type Deps, type Settings, systemClock } from "./deps.ts";
export { reportError, stackFrames } from "./error-report.ts";
export { type ErrorFacts, errorFacts } from "./error-shape.ts";
export { type AppErrorCode, appCodeForStatus, appErrors, DomainError } from "./errors.ts";
export { createInProcessEventBus, type DomainEvents, type EventBus } from "./events/event-bus.ts";
export { describeIssues, type InputIssue, toInputIssues } from "./issues.ts";
export { createFileMailer, createSmtpMailer, type Mailer } from "./mail/index.ts";
export type { Meta } from "./meta.ts";
export { procedureMetas } from "./procedure-meta.ts";
export { createRateLimits, type RateLimits, type RateWindow } from "./rate-limit/index.ts";
export { requestIdFrom } from "./request-id.ts";
export { type AppRouter, appRouter } from "./root.ts";
export { authenticate } from "./services/identity/authenticate.ts";
export { type RotationCounts, rotateClinicalKeys } from "./services/patients/rotate-keys.ts";
export {
  adminProcedure,
  authedProcedure,
  createCallerFactory,
  mergeRouters,
  publicProcedure,
  roleProcedure,
  router,
} from "./trpc.ts";
