import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { appRouter } from "@medical/api";
import { makeDoctor, makeUser, TEST_PASSWORD } from "@medical/api/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

/*
 * The SDK as a front end outside this repository gets it: `pnpm pack` (which builds it), a plain
 * `npm install` of the tarball into a project in the OS temp directory, a program type-checked
 * against the published declarations and run against a live server.
 */

const run = promisify(execFile);
const SDK_DIR = fileURLToPath(new URL("../../../packages/sdk", import.meta.url));
// The repository's TypeScript compiler; the consumer project has its own `node_modules` only.
const TSC = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));
const SLOW_MS = 240_000;

let server: TestServer;
let consumer: string;
let patient: { email: string };

beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
  patient = await makeUser(server.handle.db, { role: "PATIENT" });
  await makeDoctor(server.handle.db, { city: "Ghardaïa", user: { lastName: "Bensalem" } });

  consumer = await mkdtemp(join(tmpdir(), "medical-sdk-consumer-"));
  await run("pnpm", ["pack", "--pack-destination", consumer], { cwd: SDK_DIR, timeout: SLOW_MS });
  const [tarball] = (await readdir(consumer)).filter((name) => name.endsWith(".tgz"));
  if (!tarball) throw new Error(`pnpm pack left no tarball in ${consumer}`);
  await writeFile(join(consumer, "package.json"), JSON.stringify({ private: true, type: "module" }));
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", `./${tarball}`],
    { cwd: consumer, timeout: SLOW_MS },
  );
  // A front end's settings: DOM globals, no Node types, and the library's declarations checked too.
  const compilerOptions = {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ESNext", "DOM"],
    types: [],
    strict: true,
    skipLibCheck: false,
    outDir: "out",
  };
  await writeFile(join(consumer, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["main.ts"] }));
  await writeFile(
    join(consumer, "tsconfig.wrong.json"),
    JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: ["wrong.ts"] }),
  );
}, SLOW_MS);

afterAll(async () => {
  await server.close();
  if (consumer) await rm(consumer, { recursive: true, force: true });
});

/** Runs a command in the consumer project; resolves with its exit code and output, whatever it is. */
function inConsumer(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: consumer, timeout: SLOW_MS }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const program = (body: string) => `import { createMedicalClient } from "@medical/sdk";

const medical = createMedicalClient({ url: ${JSON.stringify(server.url)} });
const user = await medical.login(${JSON.stringify(patient.email)}, ${JSON.stringify(TEST_PASSWORD)});
${body}
await medical.logout();
await medical.close();
`;

describe("@medical/sdk as an installed package", () => {
  test("its declarations name only the runtime dependencies it declares", async () => {
    const installed = join(consumer, "node_modules/@medical/sdk");
    const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8"));
    expect(manifest.private).toBeUndefined();
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@trpc/client", "@trpc/server", "superjson"]);

    const imported = new Set<string>();
    for (const file of await readdir(join(installed, "dist"))) {
      if (!file.endsWith(".d.ts")) continue;
      const text = await readFile(join(installed, "dist", file), "utf8");
      for (const [, specifier] of text.matchAll(/(?:from |import\()"([^"]+)"/g)) {
        if (specifier && !specifier.startsWith("."))
          imported.add(specifier.replace(/^(@[^/]+\/[^/]+|[^/]+).*$/, "$1"));
      }
    }
    expect([...imported].sort()).toEqual(["@trpc/client", "@trpc/server"]);
  });

  test(
    "a typed program compiles against the tarball and talks to a live server",
    async () => {
      await writeFile(
        join(consumer, "main.ts"),
        program(`const me = await medical.api.users.me.query();
const page = await medical.api.doctors.search.query({ city: "Ghardaïa", limit: 5 });
console.log(JSON.stringify({
  role: user.role,
  email: me.email,
  doctors: page.items.map((doctor) => \`\${doctor.lastName}, \${doctor.city}\`),
  total: page.total,
}));`),
      );
      const compiled = await inConsumer(process.execPath, [TSC, "-p", "tsconfig.json"]);
      expect(compiled).toEqual({ code: 0, stdout: "", stderr: "" });

      const ran = await inConsumer(process.execPath, ["out/main.js"]);
      expect(ran).toMatchObject({ code: 0, stderr: "" });
      expect(JSON.parse(ran.stdout)).toEqual({
        role: "PATIENT",
        email: patient.email,
        doctors: ["Bensalem, Ghardaïa"],
        total: 1,
      });
    },
    SLOW_MS,
  );

  test(
    "a wrong field name, in an input or in a result, does not compile",
    async () => {
      await writeFile(
        join(consumer, "wrong.ts"),
        program(`const me = await medical.api.users.me.query();
console.log(me.emial);
await medical.api.doctors.search.query({ town: "Ghardaïa" });`),
      );
      const compiled = await inConsumer(process.execPath, [TSC, "-p", "tsconfig.wrong.json"]);
      expect(compiled.code).not.toBe(0);
      // Line 6 reads the result, line 7 sends the input (see `program`).
      expect(compiled.stdout).toMatch(/wrong\.ts\(6,\d+\): error TS\d+: Property 'emial' does not exist/);
      expect(compiled.stdout).toMatch(/wrong\.ts\(7,\d+\): error TS\d+: .*'town' does not exist/);
    },
    SLOW_MS,
  );
});
