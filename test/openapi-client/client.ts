/**
 * A front end's client, generated from /openapi.json by openapi-typescript and called with
 * openapi-fetch: `pnpm check:openapi-client` compiles it. The @ts-expect-error lines fail the
 * compile if the generated types loosen (an unknown field or query parameter accepted).
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.d.ts";

type Schemas = components["schemas"];
type Doctor = Schemas["Doctor"];

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:3000/api/v1" });

/** Any error answer: openapi-fetch's types drop a `data` that can only be null, so this asks for none. */
type ErrorAnswer = { error: { code: string } };

/** A 429 carries how long to wait, and health's 503 the database state, typed by the document. */
function isRateLimited(answer: ErrorAnswer): answer is Schemas["RateLimitedError"] {
  return answer.error.code === "RATE_LIMITED";
}
function isUnavailable(answer: ErrorAnswer): answer is Schemas["UnavailableError"] {
  return answer.error.code === "UNAVAILABLE";
}

export async function doctorsIn(city: string): Promise<string> {
  const { data, error } = await client.GET("/doctors", { params: { query: { city, limit: 5 } } });
  if (error) {
    if (isRateLimited(error)) {
      const seconds: number = error.data.retryAfterSeconds;
      return `try again in ${seconds} s`;
    }
    const where = error.error.issues?.map((issue) => issue.path.join(".")).join(", ");
    return `${error.error.code}${where ? ` (${where})` : ""}: ${error.message}`;
  }
  const doctors: Doctor[] = data.data.items;
  // @ts-expect-error: a doctor has no such field
  doctors[0]?.nickname;
  return doctors.map((doctor) => `${doctor.firstName} ${doctor.lastName}`).join(", ");
}

export async function townIsNotAParameter(): Promise<unknown> {
  // @ts-expect-error: the search takes no `town` (the server answers 400)
  return client.GET("/doctors", { params: { query: { town: "alger" } } });
}

export async function databaseState(): Promise<"up" | "down" | "unknown"> {
  const { data, error } = await client.GET("/health");
  if (data) return data.data.database;
  return isUnavailable(error) ? error.data.database : "unknown";
}
