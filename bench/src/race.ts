import { requestInit, setupContext } from "./measure.ts";
import type { NodeRuntime } from "./node-versions.ts";
import { layout } from "./report.ts";
import type { Race, Scenario } from "./scenario.ts";
import type { BootedServer, ServerKind } from "./servers.ts";
import type { TargetCheck } from "./targets.ts";

/** One race: every request fired at once, how each was answered, and how long until the last answer. */
export interface RaceResult {
  readonly scenario: string;
  readonly node: string;
  readonly server: ServerKind;
  readonly repetition: number;
  readonly requests: number;
  readonly successes: number;
  readonly expected: number;
  /** `201`, `409 SLOT_TAKEN`, … with their counts. */
  readonly answers: Readonly<Record<string, number>>;
  readonly wallMs: number;
}

/** Each server kind's two processes, sharing one database. */
export type RacePair = Readonly<Record<ServerKind, readonly [BootedServer, BootedServer]>>;

/** `201`, or the status and the envelope's error code (`409 SLOT_TAKEN`), or the transport failure. */
async function answerOf(server: BootedServer, request: Parameters<typeof requestInit>[0]): Promise<string> {
  try {
    const response = await fetch(`${server.baseUrl}${request.path}`, requestInit(request));
    const body: unknown = await response.json().catch(() => null);
    const error = typeof body === "object" && body !== null && "error" in body ? body.error : undefined;
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
    return response.ok || typeof code !== "string" ? String(response.status) : `${response.status} ${code}`;
  } catch (error) {
    return `failed: ${error instanceof Error ? error.name : String(error)}`;
  }
}

/**
 * `repeat` races per server kind, ours then the twin, each on a fresh slot the scenario picks:
 * untimed preparation (sign-ins), then every request at once, timed from the first send to the
 * last answer.
 */
export async function runRace(
  scenario: Scenario,
  race: Race,
  pair: RacePair,
  node: NodeRuntime,
  repeat: number,
  log: (line: string) => void,
): Promise<RaceResult[]> {
  const results: RaceResult[] = [];
  for (let repetition = 0; repetition < repeat; repetition += 1) {
    for (const server of ["ours", "bare"] as const) {
      const processes = pair[server];
      log(`${server} race #${repetition + 1}: preparing ${race.requests} requests`);
      const requests = await race.prepare(
        [setupContext(processes[0].baseUrl), setupContext(processes[1].baseUrl)],
        repetition,
      );
      const started = performance.now();
      const answers = await Promise.all(requests.map((r) => answerOf(processes[r.process], r.target)));
      const wallMs = performance.now() - started;
      const counts: Record<string, number> = {};
      for (const answer of answers) counts[answer] = (counts[answer] ?? 0) + 1;
      const successes = answers.filter((answer) => /^2\d\d$/.test(answer)).length;
      log(`${server} race #${repetition + 1}: ${JSON.stringify(counts)} in ${wallMs.toFixed(0)} ms`);
      results.push({
        scenario: scenario.name,
        node: node.version,
        server,
        repetition: repetition + 1,
        requests: requests.length,
        successes,
        expected: race.successes,
        answers: counts,
        wallMs,
      });
    }
  }
  return results;
}

export function formatRaces(results: readonly RaceResult[]): string {
  const header = ["race", "node", "server", "#", "requests", "successes", "wall ms", "answers"];
  const cells = results.map((r) => [
    r.scenario,
    r.node,
    r.server,
    String(r.repetition),
    String(r.requests),
    String(r.successes),
    r.wallMs.toFixed(0),
    Object.entries(r.answers)
      .map(([answer, count]) => `${count}× ${answer}`)
      .join(", "),
  ]);
  return layout(header, cells, 3);
}

/** Every race of ours on the reported Node had exactly the successes the scenario expects. */
export function raceTargets(
  scenarios: readonly Scenario[],
  results: readonly RaceResult[],
  node: string,
): TargetCheck[] {
  return scenarios.flatMap((scenario) => {
    if (!scenario.race) return [];
    const ours = results.filter(
      (r) => r.scenario === scenario.name && r.node === node && r.server === "ours",
    );
    const walls = ours.map((r) => r.wallMs.toFixed(0)).join(", ");
    return [
      {
        what: `${scenario.name} race, two processes, ${scenario.race.requests} at once`,
        target: `exactly ${scenario.race.successes} success each race`,
        measured: ours.length
          ? `${ours.map((r) => r.successes).join(", ")} success(es); wall ${walls} ms`
          : "not measured",
        met: ours.length ? ours.every((r) => r.successes === r.expected) : null,
      },
    ];
  });
}
