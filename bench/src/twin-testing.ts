import { type Executor, selectRows } from "@medical/db";
import { statementOf } from "@medical/db/testing";
import { ACCESS_TOKENS } from "./identity.ts";
import type { BareQuery, BareResponse, BareRoute, BareTokens } from "./scenario.ts";

/** What the tests of the bare twins share: a driver on the test database, tokens, a GET. */

/** The twin's driver call on the test database `db()` (read at each call: files open it in beforeAll). */
export const queryOn =
  (db: () => Executor): BareQuery =>
  async (text, params = []) =>
    selectRows(db(), statementOf(text, params));

/** The server's access-token settings (identity.ts) with `secret`: the twin signs and checks the same JWTs. */
export const tokensOf = (secret: string): BareTokens => ({
  ...ACCESS_TOKENS,
  key: new TextEncoder().encode(secret),
});

/** What the server's REST mirror would put in a body, as JSON. */
export const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** A GET of `path` as the twin's server hands it to `route`, with the Authorization header given. */
export function bareGet(
  route: BareRoute,
  twin: { query: BareQuery; tokens: BareTokens },
  path: string,
  authorization?: string,
): Promise<BareResponse> {
  return route.handle({
    query: twin.query,
    transaction: (work) => work(twin.query),
    url: new URL(path, "http://127.0.0.1"),
    params: {},
    headers: authorization ? { authorization } : {},
    body: undefined,
    tokens: twin.tokens,
  });
}
