import type { Scenario } from "../scenario.ts";
import { appointmentsMine } from "./appointments-mine.ts";
import { doctorsSearch } from "./doctors-search.ts";
import { health } from "./health.ts";
import { login, usersMe } from "./identity.ts";
import {
  notificationsBroadcast,
  notificationsCrossInstance,
  notificationsIdleHeap,
} from "./notifications.ts";
import { recordsRead } from "./records-read.ts";
import { appointmentsBook, doctorsSlots } from "./scheduling.ts";

/** Every scenario, in the order `pnpm bench` runs them when none is named. One module per domain. */
export const scenarios: readonly Scenario[] = [
  health,
  login,
  usersMe,
  doctorsSearch,
  doctorsSlots,
  appointmentsBook,
  appointmentsMine,
  recordsRead,
  notificationsIdleHeap,
  notificationsBroadcast,
  notificationsCrossInstance,
];
