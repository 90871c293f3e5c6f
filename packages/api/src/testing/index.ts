// Held by a test to stand for a consumer that has not run yet (a process killed after a commit).
export { NOTIFICATIONS_LOCK_KEY } from "../domains/notifications/consumer.ts";
export { asSuperuser, isSealed, sealThrough } from "./audit-chain.ts";
export { type Caller, callerFor } from "./caller.ts";
export {
  makeTestDeps,
  TEST_ENCRYPTION_KEY,
  TEST_JWT_SECRET,
  type TestDepsOptions,
  testHasher,
  testSettings,
} from "./deps.ts";
export { type MakeAppointmentInput, makeAppointment } from "./factories/appointments.ts";
export { makeException, makeRule } from "./factories/availability.ts";
export {
  type MakeBillingEntryInput,
  type MakeClaimInput,
  type MakePolicyInput,
  makeBillingEntry,
  makeClaim,
  makePolicy,
} from "./factories/billing.ts";
export { makeDoctor, makeSpecialty } from "./factories/doctors.ts";
export { type MakeNotificationInput, makeNotification } from "./factories/notifications.ts";
export { type MakePatientOverrides, makePatient } from "./factories/patients.ts";
export { type MakeMedicalRecordInput, makeMedicalRecord } from "./factories/records.ts";
export { makeUser, passwordHashForTests, TEST_PASSWORD } from "./factories/users.ts";
export { createMemoryMailer, type MemoryMailer, tokenIn } from "./memory-mailer.ts";
export {
  type BookableDoctorFixture,
  doctorWithHours,
  signedInPatient,
  wallClockInstant,
} from "./scheduling.ts";
