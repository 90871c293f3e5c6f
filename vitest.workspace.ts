import { defineProject } from "vitest/config";

/** One Vitest project per package; vitest.config.ts feeds this list in (Vitest 4 ignores the file alone). */
export default [
  defineProject({ extends: true, test: { name: "db", root: "packages/db", include: ["src/**/*.test.ts"] } }),
  defineProject({
    extends: true,
    test: { name: "api", root: "packages/api", include: ["src/**/*.test.ts"] },
  }),
  defineProject({
    extends: true,
    test: { name: "sdk", root: "packages/sdk", include: ["src/**/*.test.ts"] },
  }),
  defineProject({
    extends: true,
    test: { name: "seed", root: "packages/seed", include: ["src/**/*.test.ts"] },
  }),
  defineProject({
    extends: true,
    test: { name: "server", root: "apps/server", include: ["test/**/*.test.ts", "src/**/*.test.ts"] },
  }),
];
