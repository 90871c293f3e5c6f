import { defineProject } from "vitest/config";

// Inline projects do not inherit the root's test options, so each one gets these.
const shared = { testTimeout: 20_000, hookTimeout: 60_000, isolate: false };

/** One Vitest project per package; vitest.config.ts feeds this list in (Vitest 4 ignores the file alone). */
export default [
  defineProject({ test: { ...shared, name: "db", root: "packages/db", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "api", root: "packages/api", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "sdk", root: "packages/sdk", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "bench", root: "bench", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "seed", root: "packages/seed", include: ["src/**/*.test.ts"] } }),
  defineProject({
    test: {
      ...shared,
      name: "server",
      root: "apps/server",
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    },
  }),
];
