import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { appRouter } from "@medical/api";
import { runSeed } from "@medical/seed";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

const README = fileURLToPath(new URL("../../../README.md", import.meta.url));
/** Where the README's examples expect the server; the test points them at its own instead. */
const README_ORIGIN = "http://localhost:3000";

/** The ```bash blocks right after an `<!-- example -->` line, in the README's order. */
function exampleBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^<!-- example -->\n```bash\n([\s\S]*?)^```$/gm)].map(
    (match) => match[1] ?? "",
  );
}

interface Exchange {
  /** curl's arguments as the example passed them. */
  request: string;
  answer: string;
}

/**
 * Runs the blocks in one bash, in order, as a reader pasting them into one terminal: strict
 * (`set -euo pipefail`: an unset `$ACCESS_TOKEN` or a failing command stops it), with `curl`
 * wrapped to record each request and its answer.
 */
async function runExamples(blocks: string[], origin: string) {
  const dir = await mkdtemp(join(tmpdir(), "medical-readme-"));
  const log = join(dir, "exchanges");
  const script = [
    "set -euo pipefail",
    `curl() { printf '>%s\\n' "$*" >> "$EXCHANGES"; command curl "$@" | tee -a "$EXCHANGES"; printf '\\n' >> "$EXCHANGES"; }`,
    ...blocks,
  ]
    .join("\n")
    .replaceAll(README_ORIGIN, origin);
  try {
    const file = join(dir, "examples.sh");
    await writeFile(file, script);
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        "bash",
        // From a file and with --norc: `bash -c` over the pipes Node gives it reads ~/.bashrc.
        ["--norc", "--noprofile", file],
        // The Node running the tests is the `node` the examples call.
        { env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, EXCHANGES: log } },
        (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });
    const exchanges: Exchange[] = [];
    for (const line of (await readFile(log, "utf8").catch(() => "")).split("\n")) {
      if (line.startsWith(">")) exchanges.push({ request: line.slice(1), answer: "" });
      else if (line.trim() && exchanges.length) {
        const last = exchanges[exchanges.length - 1];
        if (last) last.answer += line;
      }
    }
    return { ...run, script, exchanges };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Data a reader would call empty: null, `{}`, `[]`, or a page without items. */
function isEmpty(data: unknown): boolean {
  if (data === null || data === undefined) return true;
  if (Array.isArray(data)) return data.length === 0;
  if (typeof data !== "object") return false;
  if ("items" in data) return !Array.isArray(data.items) || data.items.length === 0;
  return Object.keys(data).length === 0;
}

/**
 * The demo seed through the services, billing included, takes 30–50 s on a loaded 2-core machine
 * (the seed's own tests allow it 180 s); the examples start some 90 curl and node processes.
 */
const SEEDING_TIMEOUT_MS = 180_000;
const EXAMPLES_TIMEOUT_MS = 60_000;

let server: TestServer;
let signIns: string[];
beforeAll(async () => {
  server = await startTestServer({ router: appRouter });
  const report = await runSeed(server.handle.db, {
    hasher: server.deps.hasher,
    fieldCipher: server.deps.fieldCipher,
    adminNames: { firstName: "Admin", lastName: "Clinic" },
  });
  signIns = report.signIns.map(({ email }) => email);
}, SEEDING_TIMEOUT_MS);
afterAll(() => server.close());

describe("the README's examples on a seeded server", () => {
  test("every marked example answers a success envelope with data; the search finds rated doctors, best first", {
    timeout: EXAMPLES_TIMEOUT_MS,
  }, async () => {
    const blocks = exampleBlocks(await readFile(README, "utf8"));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const run = await runExamples(blocks, server.url);
    // The examples reach this server only: no address of the reader's own server is left.
    expect(run.script).not.toContain(README_ORIGIN);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    // One exchange per curl call at least (the login helper runs several times).
    expect(run.exchanges.length).toBeGreaterThanOrEqual(blocks.join("\n").split(/\bcurl -s /).length - 1);
    for (const { request, answer } of run.exchanges) {
      const body: { success?: unknown; data?: unknown } = JSON.parse(answer);
      expect({ request, success: body.success, empty: isEmpty(body.data) }).toEqual({
        request,
        success: true,
        empty: false,
      });
    }

    const search = run.exchanges.find(({ request }) => request.includes("minRating=4"));
    const page: { data: { total: number; items: { rating: { average: number } }[] } } = JSON.parse(
      search?.answer ?? "null",
    );
    expect(page.data.total).toBeGreaterThan(0);
    const ratings = page.data.items.map((doctor) => doctor.rating.average);
    expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
    expect(Math.min(...ratings)).toBeGreaterThanOrEqual(4);
  });

  test("signs in as the accounts pnpm seed prints, and shows the same table", async () => {
    const readme = await readFile(README, "utf8");
    for (const email of signIns) expect(readme).toContain(email);
    const examples = exampleBlocks(readme).join("\n");
    for (const email of signIns) expect(examples).toContain(`login ${email}`);
  });
});
