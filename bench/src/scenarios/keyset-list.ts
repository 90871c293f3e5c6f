import { randomUUID } from "node:crypto";
import type { BareRequest, BareResponse, BareRoute, Row, SetupContext, Target } from "../scenario.ts";
import { BULK_PASSWORD } from "./bulk.ts";
import { failure, isObject } from "./envelope.ts";
import { bareAuthenticate } from "./identity.ts";

/**
 * What the list scenarios (appointments.mine, records.read) share: their pages, setup, and the
 * twin's whole list route but for its statement and its items.
 */

const LOGIN_PATH = "/api/v1/auth/login";
const MAX_PAGE_SIZE = 100;

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

/** An instant as the driver gives it: a Date (postgres-js, PGlite) or PostgreSQL's text. */
export const instant = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));

/** The list's cursor as the server writes it (platform/list.ts): sort, order, the last row's sort value and id, base64url JSON. */
export const encodeCursor = (cursor: { s: string; o: string; v: unknown; id: unknown }): string =>
  Buffer.from(JSON.stringify(cursor)).toString("base64url");

interface KeysetCursor {
  v: string;
  id: string;
}

/** A cursor of a list by `sort` in `order` only, as the server checks it; undefined for any other text. */
function decodeCursor(text: string, sort: string, order: string): KeysetCursor | undefined {
  try {
    const raw: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!isObject(raw) || raw.s !== sort || raw.o !== order) return undefined;
    return typeof raw.v === "string" && typeof raw.id === "string" ? { v: raw.v, id: raw.id } : undefined;
  } catch {
    return undefined;
  }
}

interface ListRequest {
  caller: { userId: string; role: string };
  limit: number;
  cursor: KeysetCursor | undefined;
}

interface KeysetList {
  path: string;
  /** The one role the list serves (403 for another), and the 403's message. */
  role: string;
  forbidden: string;
  /** The default page size. */
  size: number;
  /** The list's one order: the cursor's `s` and `o`, and the row column its `v` is read from. */
  sort: { key: string; order: "asc" | "desc"; column: string };
  /**
   * The service's one statement, with `after` ANDed into the page's conditions: $1 the caller's
   * user id, $2 the limit (the statement reads one row more), $3 to $5 the audit row's role,
   * request id and address; `after` compares the sort column and id with $6 and $7.
   */
  statement: (after: string) => string;
  after: string;
  /** The service's DTO of one row. */
  item: (row: Row) => unknown;
}

/**
 * The twin's list route: the request checked as the server checks it, the statement (the page and
 * its audit row) run for the first page or after the cursor, and the page with its next cursor.
 */
export function keysetListRoute(list: KeysetList): BareRoute {
  const firstPage = list.statement("");
  const nextPage = list.statement(list.after);
  const { key, order, column } = list.sort;
  return {
    path: list.path,
    async handle(request) {
      const checked = await listRequest(request, list);
      if ("status" in checked) return checked;
      const { caller, limit, cursor } = checked;
      const audit = [caller.role, randomUUID(), "127.0.0.1"];
      // Ours prepares the statement, once per shape (platform/prepared.ts).
      const prepared = { prepared: true };
      const rows = cursor
        ? await request.query(nextPage, [caller.userId, limit, ...audit, cursor.v, cursor.id], prepared)
        : await request.query(firstPage, [caller.userId, limit, ...audit], prepared);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextCursor =
        rows.length > limit && last
          ? encodeCursor({ s: key, o: order, v: instant(last[column]).toISOString(), id: last.id })
          : null;
      return {
        status: 200,
        body: { success: true, data: { items: items.map(list.item), nextCursor }, message: null },
      };
    },
  };
}

/**
 * The twin's checks of a list request, as the server makes them: the caller (401 without one, 403
 * in another role), `limit` and `cursor` only (400 otherwise), the cursor one of this list's.
 * Answers the refusal, or the request.
 */
async function listRequest(
  { query, url, headers, tokens }: BareRequest,
  rules: KeysetList,
): Promise<BareResponse | ListRequest> {
  const caller = await bareAuthenticate(query, tokens, headers.authorization);
  if (!caller) return failure(401, "Authentication required");
  if (caller.role !== rules.role) return failure(403, rules.forbidden);
  const params = url.searchParams;
  if ([...params.keys()].some((key) => key !== "limit" && key !== "cursor"))
    return failure(400, "the twin takes limit and cursor only");
  const limit = Number(params.get("limit") ?? rules.size);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) return failure(400, "bad limit");
  const cursorText = params.get("cursor");
  const cursor = cursorText === null ? undefined : decodeCursor(cursorText, rules.sort.key, rules.sort.order);
  if (cursorText !== null && !cursor) return failure(400, "not a cursor of this list");
  return { caller, limit, cursor };
}
