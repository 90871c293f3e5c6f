import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "medical-seed-cli-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `pnpm seed` as its own process on a fresh PGlite folder, with nothing inherited from this shell. */
function seed(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts"], {
      cwd: packageDir,
      env: { NODE_ENV: "development", DATA_DIR: dataDir, ARGON2_MEMORY_KIB: "1024", ARGON2_ITERATIONS: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("pnpm seed ends with one sign-in per role: role, e-mail and password on one line", async () => {
  const run = await seed();

  expect(run.stderr).not.toMatch(/failed/);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/ \d+ reviews \(\d+ new\)/);
  const lines = run.stdout.trimEnd().split("\n");
  expect(lines.at(-5)).toBe("Sign in (development only) as:");
  expect(lines.slice(-4).map((line) => line.trim().split(/\s+/))).toEqual([
    ["ADMIN", "admin@demo.clinic.dz", "Algeria123!"],
    ["DOCTOR", "amina.benali@demo.clinic.dz", "Algeria123!"],
    ["PATIENT", "amina.hamidi@demo.clinic.dz", "Algeria123!"],
    ["STAFF", "karima.belkacem@demo.clinic.dz", "Algeria123!"],
  ]);
}, 180_000);
