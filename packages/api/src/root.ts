import { router } from "#platform/trpc.ts";
import { auditRouter } from "./domains/audit/router.ts";
import { doctorsRouter } from "./domains/doctors/router.ts";
import { healthRouter } from "./domains/health/router.ts";
import { authRouter } from "./domains/identity/auth.router.ts";
import { usersRouter } from "./domains/identity/users.router.ts";
import { patientsRouter } from "./domains/patients/router.ts";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  audit: auditRouter,
  doctors: doctorsRouter,
  patients: patientsRouter,
});

export type AppRouter = typeof appRouter;
