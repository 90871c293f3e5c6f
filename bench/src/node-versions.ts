import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { spawnTracked } from "./processes.ts";

export interface NodeRuntime {
  readonly major: number;
  /** Full version, e.g. `v24.11.0`. */
  readonly version: string;
  readonly execPath: string;
}

/**
 * The running Node when the major matches, else the `node@<major>` package from the npm registry.
 * We ask npx for the binary's path once and spawn that binary directly: the pid we sample is then
 * the server itself, not an npx wrapper, and npx's start-up is not in the timings.
 */
export async function resolveNode(major: number): Promise<NodeRuntime> {
  if (Number(process.versions.node.split(".")[0]) === major) {
    return { major, version: process.version, execPath: process.execPath };
  }
  const script = "console.log(JSON.stringify([process.execPath, process.version]))";
  // Outside the workspace, so npx does not pick up the repository's package manager settings.
  const result = await spawnTracked("npx", ["-y", `node@${major}`, "-e", script], {
    timeoutMs: 180_000,
    cwd: tmpdir(),
  });
  const lastLine = result.stdout.trim().split("\n").at(-1) ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    parsed = undefined;
  }
  if (
    result.code !== 0 ||
    !Array.isArray(parsed) ||
    typeof parsed[0] !== "string" ||
    typeof parsed[1] !== "string"
  ) {
    throw new Error(
      `could not get Node ${major} with \`npx -y node@${major}\` (exit ${result.code}): ${result.stderr.trim()}\n` +
        "Use --node with the versions you have, e.g. --node 20.",
    );
  }
  const [execPath, version] = parsed;
  if (!existsSync(execPath) || !version.startsWith(`v${major}.`)) {
    throw new Error(`npx node@${major} reported ${version} at ${execPath}`);
  }
  return { major, version, execPath };
}
