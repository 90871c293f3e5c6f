export {
  createMedicalClient,
  type EventSourceClass,
  MAX_BATCH_ITEMS,
  type MedicalClient,
  type MedicalClientOptions,
  type SessionUser,
} from "./client.ts";
export type { LiveNotification, LiveNotifications, LiveNotificationsOptions } from "./live-notifications.ts";
export type { AppRouter, RouterInputs, RouterOutputs } from "./router-types.ts";
export { memoryTokenStore, type TokenStore, type Tokens } from "./tokens.ts";
