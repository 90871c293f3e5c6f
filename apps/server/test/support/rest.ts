import { TEST_PASSWORD } from "@medical/api/testing";

export interface RestInit {
  method?: string;
  /** Sent as JSON (sets content-type); `body` sends raw text instead, e.g. malformed JSON. */
  json?: unknown;
  body?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** A REST call's answer: the envelope parsed, and the raw text and headers for wire checks. */
export interface RestAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: ReturnType<typeof JSON.parse>;
}

/**
 * Calls to `/api/v1` of a test server whose URL is known once it has started (`beforeAll`), and a
 * sign-in through the real login route. A body means POST unless `method` says otherwise.
 */
export function restClient(baseUrl: () => string) {
  async function rest(path: string, init: RestInit = {}): Promise<RestAnswer> {
    const body = init.json === undefined ? init.body : JSON.stringify(init.json);
    const headers: Record<string, string> = { ...init.headers };
    if (body !== undefined) headers["content-type"] ??= "application/json";
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const response = await fetch(`${baseUrl()}/api/v1${path}`, {
      method: init.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
  }

  /** An access token for an account made with the test password (makeUser, makeDoctor…). */
  async function tokenOf(email: string): Promise<string> {
    const login = await rest("/auth/login", { json: { email, password: TEST_PASSWORD } });
    return String(login.body.data.accessToken);
  }

  return { rest, tokenOf };
}
