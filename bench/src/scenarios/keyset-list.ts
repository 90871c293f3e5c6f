import type { BareRequest, BareResponse, SetupContext, Target } from "../scenario.ts";
import { BULK_PASSWORD } from "./bulk.ts";
import { bareAuthenticate } from "./identity.ts";

/** What the list scenarios (appointments.mine, records.read) share: their pages, setup and twin's request checks. */

const LOGIN_PATH = "/api/v1/auth/login";
const MAX_PAGE_SIZE = 100;

export const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null;

export const failure = (status: number, message: string): BareResponse => ({
  status,
  body: { success: false, data: null, message },
});

/** The list at `path`, `size` items a page, after `cursor` when given. */
export const listPage = (path: string, size: number, cursor?: string) =>
  `${path}?limit=${size}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;

/**
 * Runs on each server (ours, then the bare twin): signs in as `email` (a generated account, the
 * bulk load's password) and walks the list to the cursor of page `deep`, never by an offset. The
 * targets: page 1 and page `deep`.
 */
export async function firstAndDeepPages(
  { getJson, postJson }: SetupContext,
  list: { email: string; path: string; size: number; deep: number },
): Promise<readonly Target[]> {
  const { email, path, size, deep } = list;
  const login = await postJson(LOGIN_PATH, { email, password: BULK_PASSWORD });
  const token = isObject(login) && isObject(login.data) ? login.data.accessToken : undefined;
  if (typeof token !== "string") throw new Error(`${email} could not sign in: ${JSON.stringify(login)}`);
  const headers = { authorization: `Bearer ${token}` };
  let cursor: string | undefined;
  for (let n = 1; n < deep; n += 1) {
    const answer = await getJson(listPage(path, size, cursor), headers);
    const data = isObject(answer) ? answer.data : undefined;
    if (!isObject(data) || typeof data.nextCursor !== "string")
      throw new Error(`page ${n} of ${path} has no next cursor: is the snapshot loaded?`);
    cursor = data.nextCursor;
  }
  return [
    { path: listPage(path, size), headers, label: "page 1" },
    { path: listPage(path, size, cursor), headers, label: `page ${deep}` },
  ];
}

export interface ListRequest<Cursor> {
  caller: { userId: string; role: string };
  limit: number;
  cursor: Cursor | undefined;
}

/**
 * The twin's checks of a list request, as the server makes them: the caller (401 without one, 403
 * in another role), `limit` and `cursor` only (400 otherwise), the cursor decoded by `decode`.
 * Answers the refusal, or the request.
 */
export async function listRequest<Cursor>(
  { query, url, headers, tokens }: BareRequest,
  rules: { role: string; forbidden: string; size: number; decode: (text: string) => Cursor | undefined },
): Promise<BareResponse | ListRequest<Cursor>> {
  const caller = await bareAuthenticate(query, tokens, headers.authorization);
  if (!caller) return failure(401, "Authentication required");
  if (caller.role !== rules.role) return failure(403, rules.forbidden);
  const params = url.searchParams;
  if ([...params.keys()].some((key) => key !== "limit" && key !== "cursor"))
    return failure(400, "the twin takes limit and cursor only");
  const limit = Number(params.get("limit") ?? rules.size);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return failure(400, "bad limit");
  const cursorText = params.get("cursor");
  const cursor = cursorText === null ? undefined : rules.decode(cursorText);
  if (cursorText !== null && !cursor) return failure(400, "not a cursor of this list");
  return { caller, limit, cursor };
}
