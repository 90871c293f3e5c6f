export type { AuditMeta } from "#platform/audit/audit.ts";
export { type AnchorFacts, type SealReport, sealAuditChain } from "#platform/audit/chain.ts";
export { type AuditSealer, startAuditSealer } from "#platform/audit/sealer.ts";
export { type AccessTokens, createAccessTokens } from "#platform/auth/access-tokens.ts";
export type { Actor } from "#platform/auth/actor.ts";
export { authenticate } from "#platform/auth/authenticate.ts";
export { type HashQueueLimits, queueHashing } from "#platform/auth/hash-queue.ts";
export { createArgon2Hasher, type PasswordHasher } from "#platform/auth/passwords.ts";
export { ROLES, type Role } from "#platform/auth/roles.ts";
export type { BackgroundPasses } from "#platform/background.ts";
export {
  accessTokenFrom,
  bearerToken,
  type Context,
  type CreateContextOptions,
  createContextFactory,
  type RequestOrigin,
} from "#platform/context.ts";
export { type DevSecrets, devSecrets } from "#platform/crypto/dev-secrets.ts";
export {
  type CipherContext,
  createFieldCipher,
  type EncryptionKey,
  type FieldCipher,
  FieldDecryptionError,
  parseEncryptionKeys,
} from "#platform/crypto/field-cipher.ts";
export { type Clock, type Deps, type Settings, systemClock } from "#platform/deps.ts";
export {
  type AppErrorCode,
  type AppErrorData,
  appErrors,
  DomainError,
  InvalidInputError,
} from "#platform/errors/errors.ts";
export { describeIssues, type InputIssue, toInputIssues } from "#platform/errors/issues.ts";
export { reportError, stackFrames } from "#platform/errors/report.ts";
export { type ErrorFacts, errorFacts, withIssues } from "#platform/errors/shape.ts";
export {
  createInProcessEventBus,
  type DomainEvents,
  type EventBus,
  type SharedEventBus,
} from "#platform/events/event-bus.ts";
export { createPostgresEventBus, EVENT_BUS_APPLICATION_NAME } from "#platform/events/postgres-bus.ts";
export { createRedisEventBus } from "#platform/events/redis-bus.ts";
export { MAX_MESSAGE_BYTES } from "#platform/events/shared-bus.ts";
export { rotateStoredAnswers } from "#platform/idempotency/rotate.ts";
export { nestsDeeperThan, tooDeep } from "#platform/json-depth.ts";
export { createFileMailer, createSmtpMailer, type Mailer } from "#platform/mail/index.ts";
export type { Meta } from "#platform/meta.ts";
export { procedureMetas } from "#platform/procedure-meta.ts";
export { createRateLimits, type RateLimits, type RateWindow } from "#platform/rate-limit/index.ts";
export { requestIdFrom } from "#platform/request-id.ts";
export {
  adminProcedure,
  authedProcedure,
  createCallerFactory,
  mergeRouters,
  publicProcedure,
  roleProcedure,
  router,
} from "#platform/trpc.ts";
/** The demo seed gives its doctors hours through the availability services, dated in their zone. */
export { createException, type ExceptionInput } from "./domains/availability/exceptions.service.ts";
export { createRule, type RuleInput } from "./domains/availability/rules.service.ts";
export { addDays, localDateIn, wallTimeOf } from "./domains/availability/wall-time.ts";
/** The demo seed bills its visits and insures its patients through the billing services, within their cover. */
export { coveredShare } from "./domains/billing/billing-fields.ts";
export { changeClaimStatus, createClaim } from "./domains/billing/claims.service.ts";
export { createEntry, updateEntry } from "./domains/billing/entries.service.ts";
export { createPolicy, deactivatePolicy } from "./domains/billing/policies.service.ts";
export { rotateBillingKeys } from "./domains/billing/rotate-keys.service.ts";
/** The doctor search's statements, unexecuted: the benchmark's bare twin sends exactly their SQL. */
export { doctorSpecialtiesQuery } from "./domains/doctors/doctor-dto.ts";
/** Profile writers for the account service's transaction (the demo seed uses them). */
export { type NewDoctorProfileInput, writeDoctorProfile } from "./domains/doctors/profiles.service.ts";
export { ZSearchInput } from "./domains/doctors/search.schema.ts";
export { EXACT_TOTAL_LIMIT, searchDoctorsQuery } from "./domains/doctors/search.service.ts";
/** Readiness and liveness, for the server's fast path in front of the REST adapter. */
export {
  checkHealth,
  checkLiveness,
  type Health,
  type Liveness,
} from "./domains/health/health.service.ts";
export { normalizeEmail } from "./domains/identity/normalize.ts";
export {
  type EnsuredAccount,
  ensureAccount,
  type OperatorAccountInput,
} from "./domains/identity/operator-accounts.service.ts";
/** The notifications consumer: the server runs it in the background; tests and tools catch it up. */
export { catchUpNotifications, startNotificationConsumer } from "./domains/notifications/consumer.ts";
/** The plain notification socket (served by the server): the caller's stream and where it resumes. */
export {
  type NotificationDto,
  notificationEvents,
  ZLastEventId,
} from "./domains/notifications/public.ts";
export { startReminderWorker } from "./domains/notifications/reminders.ts";
export { type NewDemographics, writePatientProfile } from "./domains/patients/profiles.service.ts";
export { rotateClinicalKeys } from "./domains/patients/rotate-keys.service.ts";
/** A browser's plain notification socket opens with a ticket; the server redeems it before the upgrade. */
export { redeemTicket } from "./domains/realtime/tickets.service.ts";
/** The demo seed writes its medical records through the records services; the bulk load seals its generated ones. */
export { type RecordContent, sealRecordText } from "./domains/records/record-content.ts";
export { rotateRecordKeys } from "./domains/records/rotate-keys.service.ts";
export { addHistoryNote, createClinicalRecord, updateRecord } from "./domains/records/write.service.ts";
/** The demo seed reviews its doctors through the reviews service (a completed visit first), rules and rating included. */
export { saveReview } from "./domains/reviews/reviews.service.ts";
/** The demo seed books, cancels and completes its appointments through the services, with a clock of its own. */
export { bookAppointment } from "./domains/scheduling/booking.service.ts";
/** The calendar feed's own route (`GET /api/v1/calendar/{token}.ics`, no session), served by the server. */
export { CALENDAR_FEED_PATH, readFeed } from "./domains/scheduling/calendar.service.ts";
export { cancelAppointment, changeStatus } from "./domains/scheduling/lifecycle.service.ts";
export { rotateAppointmentKeys } from "./domains/scheduling/rotate-keys.service.ts";
export { listSlots } from "./domains/scheduling/slots.service.ts";
/**
 * Slot generation, pure: the benchmark times it on its own (slots.generate), the bare twin of the
 * slots and booking routes calls it as the server does.
 */
export { findOfferedSlot, generateSlots, type SlotQuery } from "./domains/scheduling/slots.ts";
export type { RotationCounts } from "./platform/crypto/rotation.ts";
export { type AppRouter, appRouter } from "./root.ts";
