import { appErrors } from "@medical/api";

/** Words only an engine writes: JSON.parse, superjson, V8, a stack frame, an adapter. */
const engineText =
  /is not iterable|Cannot read propert|Unexpected token|Unexpected end|undefined|\n\s*at |\bat \S+ \(|SyntaxError|TypeError|RangeError|ReferenceError|in JSON at position|unknown custom value|Unknown transformation|trpc-to-openapi|node_modules/;

/** Why this message is not ours, or null when it is. */
export function engineTextIn(message: unknown): string | null {
  if (message === null) return null;
  if (typeof message !== "string") return `message is ${typeof message}`;
  // In validation text, zod's wording for a missing field ("received undefined") and the client's own
  // keys it quotes back ('Unrecognized key: "undefined"') are not engine text.
  const text = message.startsWith("Invalid input")
    ? message.replaceAll("received undefined", "").replaceAll(/"(?:[^"\\]|\\.)*"/g, '""')
    : message;
  const found = engineText.exec(text);
  return found ? `engine text "${found[0]}"` : null;
}

const isAppCode = (code: unknown) => typeof code === "string" && Object.hasOwn(appErrors, code);

/** The problems every answer can have (a 5xx, a body that is not JSON) and its parsed body. */
function parseAnswer(status: number, text: string): { problems: string[]; body?: unknown } {
  const problems = status >= 500 ? [`status ${status}`] : [];
  try {
    return { problems, body: JSON.parse(text) };
  } catch {
    return { problems: [...problems, "body is not JSON"] };
  }
}

/** What is wrong with a /api/v1 answer: not 5xx, the envelope, an error code of the table, no engine text. */
export function restProblems(status: number, text: string): string[] {
  const { problems, body } = parseAnswer(status, text);
  if (body === undefined) return problems;
  if (typeof body !== "object" || body === null) return [...problems, "body is not an object"];
  const envelope: Record<string, unknown> = { ...body };
  if (typeof envelope.success !== "boolean") problems.push("no boolean success");
  if (!("data" in envelope)) problems.push("no data");
  if (!("message" in envelope)) problems.push("no message");
  const engine = engineTextIn(envelope.message);
  if (engine) problems.push(engine);
  if (envelope.success === false) {
    const error = envelope.error;
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
    if (!isAppCode(code)) problems.push(`error.code ${String(code)} is not in appErrors`);
  }
  return problems;
}

/** What is wrong with a /trpc answer: not 5xx, JSON, each error with an appCode and no engine text. */
export function trpcProblems(status: number, text: string): string[] {
  const { problems, body } = parseAnswer(status, text);
  if (body === undefined) return problems;
  for (const answer of Array.isArray(body) ? body : [body]) {
    if (typeof answer !== "object" || answer === null || !("error" in answer)) continue;
    const error = answer.error;
    const json = typeof error === "object" && error !== null && "json" in error ? error.json : undefined;
    if (typeof json !== "object" || json === null) {
      problems.push("error without superjson body");
      continue;
    }
    const message = "message" in json ? json.message : undefined;
    const data = "data" in json ? json.data : undefined;
    const appCode = typeof data === "object" && data !== null && "appCode" in data ? data.appCode : undefined;
    if (!isAppCode(appCode)) problems.push(`appCode ${String(appCode)} is not in appErrors`);
    const engine = engineTextIn(message);
    if (engine) problems.push(engine);
  }
  return problems;
}

/** The `error.code` of a REST error answer, or undefined for a success or a body that is not one. */
export function errorCodeOf(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
    const error = body.error;
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}
