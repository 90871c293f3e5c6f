export {
  type AccountSummary,
  DEMO_ADMIN,
  describeExisting,
  type EnsureAdminInput,
  type EnsureAdminResult,
  ensureAdmin,
  generatePassword,
  normalizeEmail,
} from "./admin.ts";
export { ConfigError, loadSeedConfig, OWASP_ARGON2, type SeedConfig } from "./config.ts";
