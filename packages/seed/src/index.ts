export { loadSeedConfig, type SeedConfig } from "./config.ts";
