import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  dropOrphanedTestDatabases,
  dropPostgresDatabases,
  preparePgliteTemplate,
  preparePostgresTemplate,
  type TestDatabaseSpec,
} from "@medical/db/testing";
import type { TestProject } from "vitest/node";
import { chromiumPath, loadTestConfig, missingService } from "./config.ts";
import { redisAnswers } from "./redis-probe.ts";

const PG_BASE = "medtest";

/** Runs once per `vitest run`: migrates one template database that every test file copies. */
export default async function setup(project: TestProject) {
  const config = loadTestConfig();
  let spec: TestDatabaseSpec;
  let teardown: () => Promise<void>;
  if (config.TEST_DB === "postgres") {
    // This run's databases carry its pid, so concurrent runs on one server leave each other alone.
    const prefix = `${PG_BASE}_${process.pid}`;
    await dropOrphanedTestDatabases(config.TEST_DATABASE_URL, PG_BASE);
    const template = await preparePostgresTemplate(config.TEST_DATABASE_URL, prefix);
    spec = { kind: "postgres", adminUrl: config.TEST_DATABASE_URL, template, prefix };
    teardown = () => dropPostgresDatabases(config.TEST_DATABASE_URL, prefix);
  } else {
    const dir = await mkdtemp(join(tmpdir(), "medical-test-"));
    const templatePath = join(dir, "template.tar");
    await preparePgliteTemplate(templatePath);
    spec = { kind: "pglite", templatePath };
    teardown = () => rm(dir, { recursive: true, force: true });
  }
  project.provide("testDatabase", spec);

  const chromium = chromiumPath(config);
  if (!chromium) missingService(config, "Chromium", `install Debian's chromium or set CHROMIUM_PATH`);
  project.provide("chromiumPath", chromium);

  const redisUp = await redisAnswers(config.REDIS_URL);
  if (!redisUp) missingService(config, "Redis", `nothing answers at REDIS_URL=${config.REDIS_URL}`);
  project.provide("redisUrl", redisUp ? config.REDIS_URL : null);

  return teardown;
}
