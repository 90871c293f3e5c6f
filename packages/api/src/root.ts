import { adminRouter } from "./routers/admin/router.ts";
import { authRouter } from "./routers/auth/router.ts";
import { doctorsRouter } from "./routers/doctors/router.ts";
import { healthRouter } from "./routers/health/router.ts";
import { patientsRouter } from "./routers/patients/router.ts";
import { usersRouter } from "./routers/users/router.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  admin: adminRouter,
  doctors: doctorsRouter,
  patients: patientsRouter,
});

export type AppRouter = typeof appRouter;
