import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

const chromiumPath = inject("chromiumPath");
// The machine's flags: no sandbox as root, and no background traffic to hosts this network lacks.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

let server: TestServer;
let browser: Browser;

describe.skipIf(!chromiumPath)("API documentation pages in Chromium", () => {
  beforeAll(async () => {
    server = await startTestServer();
    // Playwright gives the browser a new, empty profile of its own.
    browser = await chromium.launch({ executablePath: chromiumPath ?? undefined, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string) {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) =>
      problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`),
    );
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${server.url}${path}`, { waitUntil: "networkidle" });
    return { page, problems };
  }

  test("/docs renders every operation with Swagger UI, without errors", async () => {
    const { page, problems } = await open("/docs");
    await page.locator(".opblock-summary-path", { hasText: "/health" }).first().waitFor();
    expect(await page.locator(".opblock-summary-path").allTextContents()).toEqual(
      expect.arrayContaining(["/health", "/probe/echo"]),
    );
    // Kept for a person to look at: the OS temp folder, outside the repository.
    await page.screenshot({ path: join(tmpdir(), "medical-backend-docs.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  test("/redoc renders the operations with ReDoc, without errors", async () => {
    const { page, problems } = await open("/redoc");
    await page.locator("h2", { hasText: "Service and database health" }).waitFor();
    expect(await page.locator("body").textContent()).toContain("/health");
    await page.screenshot({ path: join(tmpdir(), "medical-backend-redoc.png") });
    expect(problems).toEqual([]);
    await page.close();
  });
});
