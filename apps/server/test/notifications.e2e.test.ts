import { appRouter, catchUpNotifications } from "@medical/api";
import { createMemoryMailer, makeNotification, makePatient, makeUser } from "@medical/api/testing";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { restClient } from "./support/rest.ts";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
const mailer = createMemoryMailer();
beforeAll(async () => {
  server = await startTestServer({ router: appRouter, deps: { mailer } });
});
afterAll(() => server.close());

const { rest, tokenOf } = restClient(() => server.url);

const CALLERS = ["anonymous", "owner", "otherPatient", "doctor", "staff", "admin"] as const;
type Who = (typeof CALLERS)[number];

/** A patient with one unread notification, and a token per caller. */
async function world() {
  const db = server.handle.db;
  const { user } = await makePatient(db);
  const notification = await makeNotification(db, { userId: user.id, type: "APPOINTMENT" });
  const tokens: Record<Exclude<Who, "anonymous">, string> = {
    owner: await tokenOf(user.email),
    otherPatient: await tokenOf((await makePatient(db)).user.email),
    doctor: await tokenOf((await makeUser(db, { role: "DOCTOR" })).email),
    staff: await tokenOf((await makeUser(db, { role: "STAFF" })).email),
    admin: await tokenOf((await makeUser(db, { role: "ADMIN" })).email),
  };
  return { user, notificationId: notification.id, tokens };
}
type World = Awaited<ReturnType<typeof world>>;

interface RouteCase {
  route: string;
  method: "GET" | "PATCH" | "POST" | "DELETE";
  path(w: World): string;
  body?(w: World): unknown;
  /** The procedure that must answer (trpc-to-openapi's operation id): no `{id}` route takes a literal one. */
  operationId: string;
  /** Statuses that differ from the default: 401 anonymous, 403 anyone else. */
  expect: Partial<Record<Who, number>>;
}

const everyone = { owner: 200, otherPatient: 200, doctor: 200, staff: 200, admin: 200 };
const ownerOnly = { owner: 200, otherPatient: 404, doctor: 404, staff: 404, admin: 404 };

const ROUTES: RouteCase[] = [
  {
    route: "GET /notifications",
    method: "GET",
    path: () => "/notifications",
    operationId: "notifications-list",
    expect: everyone,
  },
  {
    route: "GET /notifications/preferences",
    method: "GET",
    path: () => "/notifications/preferences",
    operationId: "notifications-preferences",
    expect: everyone,
  },
  {
    route: "PATCH /notifications/preferences",
    method: "PATCH",
    path: () => "/notifications/preferences",
    body: () => ({ CHAT: { email: false } }),
    operationId: "notifications-updatePreferences",
    expect: everyone,
  },
  {
    route: "PATCH /notifications/read-all",
    method: "PATCH",
    path: () => "/notifications/read-all",
    operationId: "notifications-markAllRead",
    expect: everyone,
  },
  {
    route: "PATCH /notifications/{id}/read",
    method: "PATCH",
    path: (w) => `/notifications/${w.notificationId}/read`,
    operationId: "notifications-markRead",
    expect: ownerOnly,
  },
  {
    route: "DELETE /notifications/{id}",
    method: "DELETE",
    path: (w) => `/notifications/${w.notificationId}`,
    operationId: "notifications-delete",
    expect: ownerOnly,
  },
  {
    route: "POST /notifications",
    method: "POST",
    path: () => "/notifications",
    body: (w) => ({ userId: w.user.id, title: "Annonce", body: "La clinique ferme à 16 h vendredi." }),
    operationId: "notifications-send",
    expect: { admin: 202 },
  },
];

describe.each(ROUTES)("$route over REST", (route) => {
  test.each(CALLERS)("as %s", async (who) => {
    const w = await world();
    const body = route.body?.(w);
    const answer = await rest(route.path(w), {
      method: route.method,
      ...(who === "anonymous" ? {} : { token: w.tokens[who] }),
      ...(body === undefined ? {} : { json: body }),
    });
    const expected = route.expect[who] ?? (who === "anonymous" ? 401 : 403);
    expect(answer.status, answer.text).toBe(expected);
    expect(answer.headers.get("x-operation-id")).toBe(route.operationId);
    if (expected >= 400) expect(answer.body).toMatchObject({ success: false, data: null });
  });
});

describe("the inbox over REST", () => {
  test("lists in the envelope with the unread count, filters by query, marks read and deletes", async () => {
    const w = await world();
    const token = w.tokens.owner;
    const billing = await makeNotification(server.handle.db, { userId: w.user.id, type: "BILLING" });
    const listed = await rest("/notifications?isRead=false&type=BILLING&limit=5", { token });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({
      success: true,
      data: { items: [{ id: billing.id, type: "BILLING", isRead: false, readAt: null }], nextCursor: null },
    });
    expect(listed.body.data.unreadCount).toBeGreaterThanOrEqual(2);

    const read = await rest(`/notifications/${billing.id}/read`, { method: "PATCH", token });
    expect(read.body).toMatchObject({
      success: true,
      data: { id: billing.id, isRead: true },
      message: "Notification marked read",
    });
    expect(typeof read.body.data.readAt).toBe("string");
    const all = await rest("/notifications/read-all", { method: "PATCH", token });
    expect(all.body.data.marked).toBeGreaterThanOrEqual(1);
    expect((await rest("/notifications", { token })).body.data.unreadCount).toBe(0);

    const deleted = await rest(`/notifications/${billing.id}`, { method: "DELETE", token });
    expect([deleted.status, deleted.body.data]).toEqual([200, null]);
    expect((await rest(`/notifications/${billing.id}`, { method: "DELETE", token })).status).toBe(404);
  });

  test("bad input is a 400 VALIDATION_FAILED, never a 500", async () => {
    const w = await world();
    const token = w.tokens.owner;
    const refused = async (path: string, init: Parameters<typeof rest>[1]) => {
      const answer = await rest(path, { token, ...init });
      return [answer.status, answer.body.error?.code];
    };
    expect(await refused("/notifications?isRead=maybe", {})).toEqual([400, "VALIDATION_FAILED"]);
    expect(await refused("/notifications?type=PROMO", {})).toEqual([400, "VALIDATION_FAILED"]);
    expect(await refused("/notifications?unread=1", {})).toEqual([400, "VALIDATION_FAILED"]);
    expect(await refused("/notifications/not-a-uuid/read", { method: "PATCH" })).toEqual([
      400,
      "VALIDATION_FAILED",
    ]);
    expect(
      await refused("/notifications/preferences", { method: "PATCH", json: { CHAT: { sms: true } } }),
    ).toEqual([400, "VALIDATION_FAILED"]);
    expect(await refused("/notifications/preferences", { method: "PATCH", body: "{" })).toEqual([
      400,
      "MALFORMED_JSON",
    ]);
    const admin = w.tokens.admin;
    const post = (json: unknown) => rest("/notifications", { token: admin, json });
    expect((await post({ role: "NURSE", title: "a", body: "b" })).status).toBe(400);
    expect((await post({ role: "PATIENT", title: "a", body: "b", data: { x: "y" } })).status).toBe(400);
    expect((await post({ userId: w.user.id, role: "PATIENT", title: "a", body: "b" })).status).toBe(400);
  });
});

describe("an announcement over REST", () => {
  test("is accepted (202), then reaches its recipient in the app and by mail", async () => {
    const w = await world();
    const posted = await rest("/notifications", {
      token: w.tokens.admin,
      json: { userId: w.user.id, title: "Nouveaux horaires", body: "Le secrétariat ouvre à 7 h 30." },
    });
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({
      success: true,
      data: { userId: w.user.id, role: null, title: "Nouveaux horaires" },
      message: "Announcement accepted",
    });
    await catchUpNotifications(server.deps);
    const listed = await rest("/notifications?type=SYSTEM", { token: w.tokens.owner });
    expect(listed.body.data.items).toContainEqual(
      expect.objectContaining({
        title: "Nouveaux horaires",
        body: "Le secrétariat ouvre à 7 h 30.",
        data: { announcementId: posted.body.data.id },
      }),
    );
    const mail = await mailer.next(
      (message) => message.to === w.user.email && message.subject === "Nouveaux horaires",
    );
    expect(mail.kind).toBe("NOTIFICATION");
  });
});

describe("the account's time zone over REST", () => {
  test("GET and PATCH /users/me carry it", async () => {
    const w = await world();
    const token = w.tokens.owner;
    expect((await rest("/users/me", { token })).body.data.timezone).toBe("Africa/Algiers");
    const changed = await rest("/users/me", { method: "PATCH", token, json: { timezone: "Europe/Paris" } });
    expect(changed.body.data.timezone).toBe("Europe/Paris");
    const refused = await rest("/users/me", {
      method: "PATCH",
      token,
      json: { timezone: "Nowhere/Special" },
    });
    expect([refused.status, refused.body.error.code]).toEqual([400, "VALIDATION_FAILED"]);
  });
});
