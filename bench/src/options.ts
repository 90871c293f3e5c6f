import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { DEFAULT_SERVER_ENTRY, PRODUCTION_OLD_SPACE_MIB } from "./servers.ts";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000 } as const;
const MAX_DURATION_MS = 5 * 60_000;

function toMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  const unit = match?.[2];
  if (unit !== "ms" && unit !== "s" && unit !== "m") return undefined;
  return Math.round(Number(match?.[1]) * UNIT_MS[unit]);
}

/** `500ms`, `10s`, `1.5m` → milliseconds; bounded so no request loop runs unattended for long. */
const duration = z
  .string()
  .transform((text, ctx) => {
    const ms = toMs(text);
    if (ms === undefined)
      ctx.addIssue({ code: "custom", message: "expected a duration like 500ms, 10s or 1m" });
    return ms ?? 0;
  })
  .pipe(z.number().int().min(100).max(MAX_DURATION_MS));

const nodeList = z
  .string()
  .regex(/^\d+(,\d+)*$/, "expected Node majors like 24,20")
  .transform((text) => [...new Set(text.split(",").map(Number))]);

const Options = z.object({
  help: z.boolean(),
  scenarios: z.array(z.string()),
  pglite: z.boolean(),
  node: nodeList,
  duration,
  warmup: duration,
  concurrency: z.union([z.literal("auto"), z.coerce.number().int().min(1).max(256)]),
  repeat: z.coerce.number().int().min(1).max(20),
  rateShare: z.coerce.number().min(0.05).max(0.95),
  rateWorkers: z.coerce.number().int().min(1).max(256),
  startRuns: z.coerce.number().int().min(0).max(20),
  sockets: z.coerce.number().int().min(1).max(15_000),
  maxOldSpace: z.coerce.number().int().min(64).max(16_384),
  server: z
    .string()
    .min(1)
    .transform((path) => resolve(path))
    // The default entry is built when missing or stale (servers.ts ensureBuilt).
    .refine((path) => path === DEFAULT_SERVER_ENTRY || existsSync(path), "no such file")
    .refine((path) => /\.(m?js|ts)$/.test(path), "expected a .js or .ts entry"),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, "BENCH_DATABASE_URL must be a postgres:// URL"),
});

export type BenchOptions = z.infer<typeof Options>;

/** The bench's one reader of argv and the environment. Throws with a readable message on bad input. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h", default: false },
      pglite: { type: "boolean", default: false },
      node: { type: "string", default: "24,20" },
      duration: { type: "string", default: "10s" },
      warmup: { type: "string", default: "2s" },
      concurrency: { type: "string", default: "auto" },
      repeat: { type: "string", default: "3" },
      "rate-share": { type: "string", default: "0.5" },
      "rate-workers": { type: "string", default: "10" },
      "start-runs": { type: "string", default: "3" },
      sockets: { type: "string", default: "10000" },
      "max-old-space": { type: "string", default: String(PRODUCTION_OLD_SPACE_MIB) },
      server: { type: "string", default: DEFAULT_SERVER_ENTRY },
    },
  });
  const parsed = Options.safeParse({
    ...values,
    rateWorkers: values["rate-workers"],
    rateShare: values["rate-share"],
    startRuns: values["start-runs"],
    maxOldSpace: values["max-old-space"],
    scenarios: positionals,
    databaseUrl: env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres",
  });
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("\n"),
    );
  }
  return parsed.data;
}
