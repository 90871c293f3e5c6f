import { defineProject } from "vitest/config";

// Inline projects do not inherit the root's test options, so each one gets these.
const shared = { testTimeout: 20_000, hookTimeout: 60_000, isolate: false };

/**
 * `@medical/sdk` resolves to its sources through the workspace's own export condition, so the
 * tests need no SDK build. Vite's conditions for server code follow it (listing some replaces them).
 */
const workspaceSources = {
  ssr: { resolve: { conditions: ["@medical/source", "module", "node", "development|production"] } },
};

/** One Vitest project per package; vitest.config.ts feeds this list in (Vitest 4 ignores the file alone). */
export default [
  defineProject({ test: { ...shared, name: "db", root: "packages/db", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "api", root: "packages/api", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "sdk", root: "packages/sdk", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "bench", root: "bench", include: ["src/**/*.test.ts"] } }),
  defineProject({ test: { ...shared, name: "seed", root: "packages/seed", include: ["src/**/*.test.ts"] } }),
  defineProject({
    ...workspaceSources,
    test: {
      ...shared,
      name: "server",
      root: "apps/server",
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    },
  }),
];
