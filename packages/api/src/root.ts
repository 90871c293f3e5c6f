import { mergeRouters, router } from "#platform/trpc.ts";
import { accessLogRouter, auditRouter } from "./domains/audit/router.ts";
import { availabilityRouter } from "./domains/availability/router.ts";
import { billingRouter } from "./domains/billing/router.ts";
import { doctorsRouter } from "./domains/doctors/router.ts";
import { exportRouter } from "./domains/export/router.ts";
import { favoritesRouter } from "./domains/favorites/router.ts";
import { healthRouter } from "./domains/health/router.ts";
import { authRouter } from "./domains/identity/auth.router.ts";
import { usersRouter } from "./domains/identity/users.router.ts";
import { notificationsRouter } from "./domains/notifications/router.ts";
import { patientsRouter } from "./domains/patients/router.ts";
import { realtimeRouter } from "./domains/realtime/router.ts";
import { recordsRouter } from "./domains/records/router.ts";
import { reportsRouter } from "./domains/reports/router.ts";
import { reviewsRouter } from "./domains/reviews/router.ts";
import { calendarRouter } from "./domains/scheduling/calendar.router.ts";
import { lifecycleRouter } from "./domains/scheduling/lifecycle.router.ts";
import { appointmentsRouter, slotsRouter } from "./domains/scheduling/router.ts";
import { viewsRouter } from "./domains/scheduling/views.router.ts";
import { specialtiesRouter } from "./domains/specialties/router.ts";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  audit: auditRouter,
  reports: reportsRouter,
  // REST paths match in this order, first match wins: the literal /doctors/specialties,
  // /doctors/me/…, /doctors/admin/… and /doctors/availability/… paths come before doctors'
  // /doctors/{id}.
  specialties: specialtiesRouter,
  // One namespace for a doctor's hours and the slots they make (`availability.slots`).
  availability: mergeRouters(availabilityRouter, slotsRouter),
  favorites: favoritesRouter,
  reviews: reviewsRouter,
  doctors: doctorsRouter,
  // The audit domain's literal /patients/me/access-log and the export's /patients/me/export and
  // /patients/{id}/export (the literal one first) before patients' /patients/{id}.
  patients: mergeRouters(accessLogRouter, exportRouter, patientsRouter),
  // The views' literal /appointments/me and /appointments/doctor/me before /appointments/{id}.
  appointments: mergeRouters(viewsRouter, appointmentsRouter, lifecycleRouter),
  calendar: calendarRouter,
  // Its literal /medical-records/me and /medical-records/doctor/me before /medical-records/{id}.
  medicalRecords: recordsRouter,
  // The literal /billing/me, /billing/policies/…, /billing/claims/… and /billing/patient/{patientId}
  // before /billing/{id} (billing/router.ts keeps them in that order).
  billing: billingRouter,
  // Its literal /notifications/preferences and /notifications/read-all before /notifications/{id}….
  notifications: notificationsRouter,
  realtime: realtimeRouter,
});

export type AppRouter = typeof appRouter;
