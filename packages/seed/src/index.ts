export {
  type AccountSummary,
  DEMO_ADMIN,
  describeExisting,
  type EnsureAdminInput,
  type EnsureAdminResult,
  ensureAdmin,
  generatePassword,
} from "./admin.ts";
export {
  type BulkOptions,
  type BulkResult,
  createProgressBar,
  LOAD_DOMAIN,
  type LoadProgress,
  loadBulk,
} from "./bulk/index.ts";
export { ConfigError, loadSeedConfig, OWASP_ARGON2, type SeedConfig } from "./config.ts";
export { buildDemoData, DEMO_DOMAIN, DEMO_PASSWORD, type DemoData } from "./demo/build.ts";
export { type DemoResult, describeDemo, loadDemo } from "./demo/load.ts";
export { type OperatorDeps, operatorAudit, operatorDeps } from "./operator.ts";
export { runSeed, type SeedOptions, type SeedReport, type SignIn } from "./seed.ts";
export { ensureSpecialties } from "./specialties.ts";
