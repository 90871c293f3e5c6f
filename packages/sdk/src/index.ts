export {
  createMedicalClient,
  MAX_BATCH_ITEMS,
  type MedicalClient,
  type MedicalClientOptions,
  type SessionUser,
} from "./client.ts";
export type { AppRouter, RouterInputs, RouterOutputs } from "./router-types.ts";
export { memoryTokenStore, type TokenStore, type Tokens } from "./tokens.ts";
