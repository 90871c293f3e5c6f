import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./support/test-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("security headers", () => {
  test("send a CSP without inline scripts, nosniff and frame denial, and no x-powered-by", async () => {
    for (const path of ["/api/v1/health", "/docs", "/redoc"]) {
      const response = await fetch(`${server.url}${path}`);
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-powered-by")).toBeNull();
    }
  });
});

describe("caching", () => {
  test("no browser or proxy may keep an API answer, REST or tRPC, success or error", async () => {
    for (const path of [
      "/api/v1/health",
      "/api/v1/no-such-route",
      "/trpc/health.check",
      "/trpc/health.check?batch=1&input={}",
      "/trpc/no.such.procedure",
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect({ path, cacheControl: response.headers.get("cache-control") }).toEqual({
        path,
        cacheControl: "no-store",
      });
    }
  });
});

describe("CORS", () => {
  test("allows a configured origin pattern, including a preflight with Authorization", async () => {
    const origin = "http://localhost:5173";
    const simple = await fetch(`${server.url}/api/v1/health`, { headers: { origin } });
    expect(simple.headers.get("access-control-allow-origin")).toBe(origin);
    expect(simple.headers.get("access-control-expose-headers")).toContain("X-Request-Id");

    const preflight = await fetch(`${server.url}/api/v1/probe/echo`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });

  test("lets a browser read which operation answered a REST call (X-Operation-Id)", async () => {
    const response = await fetch(`${server.url}/api/v1/doctors/specialties`, {
      headers: { origin: "http://localhost:5173" },
    });
    expect(response.headers.get("x-operation-id")).toBe("specialties-list");
    const exposed = response.headers.get("access-control-expose-headers")?.toLowerCase().split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["x-request-id", "retry-after", "x-operation-id"]));
  });

  test("gives other origins no CORS grant", async () => {
    for (const origin of [
      "https://evil.example",
      "http://localhost.evil.example",
      "http://localhost:80.evil.example",
    ]) {
      const response = await fetch(`${server.url}/api/v1/health`, { headers: { origin } });
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});

describe("request ids", () => {
  test("keep a well-formed client id in the header, the error envelope and the log", async () => {
    const response = await fetch(`${server.url}/api/v1/no-such-route`, {
      headers: { "x-request-id": "mobile-app-42" },
    });
    expect(response.headers.get("x-request-id")).toBe("mobile-app-42");
    expect(await response.json()).toMatchObject({ error: { requestId: "mobile-app-42" } });
    expect(server.logs.text).toContain('"id":"mobile-app-42"');
  });

  test("replace a malformed or oversized client id with a fresh one", async () => {
    for (const bad of ["has spaces", "x".repeat(65), "semi;colon", "new%0Aline"]) {
      const response = await fetch(`${server.url}/api/v1/health`, { headers: { "x-request-id": bad } });
      const id = response.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(server.logs.text).not.toContain(bad);
    }
  });
});

describe("logs", () => {
  test("never contain authorization headers, cookies, token query values or bodies", async () => {
    const secrets = {
      bearer: "eyJhbGciOiJIUzI1NiJ9.bearer-secret",
      cookie: "sid=cookie-secret-value",
      query: "query-token-secret",
      body: "Body-Secret-Value",
    };
    await fetch(`${server.url}/api/v1/probe/echo?token=${secrets.query}&page=2`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${secrets.bearer}`,
        cookie: secrets.cookie,
        "content-type": "application/json",
      },
      body: JSON.stringify({ flag: true, count: 1, name: secrets.body }),
    });
    await fetch(`${server.url}/trpc/health.check?token=${secrets.query}`, {
      headers: { authorization: `Bearer ${secrets.bearer}` },
    });
    const logs = server.logs.text;
    for (const secret of Object.values(secrets)) expect(logs).not.toContain(secret);
    expect(logs).toContain("[redacted]");
    expect(logs).toContain("page=2");
  });

  test("keep the path, harmless query values and harmless headers only", async () => {
    const secrets = {
      search: "Amina Benali",
      password: "hunter2-in-a-query",
      refresh: "refresh-header-secret",
      input: "trpc-input-name-Karim",
      feedToken: "a".repeat(20) + "B".repeat(23),
    };
    const requests = [
      {
        path: `/api/v1/probe/echo?q=${encodeURIComponent(secrets.search)}&limit=20&password=${secrets.password}`,
        logged: "/api/v1/probe/echo?q=[redacted]&limit=20&password=[redacted]",
      },
      {
        path: `/trpc/health.check?batch=1&input=${encodeURIComponent(JSON.stringify({ name: secrets.input }))}`,
        logged: "/trpc/health.check?batch=1&input=[redacted]",
      },
      {
        path: `/api/v1/calendar/${secrets.feedToken}.ics`,
        logged: "/api/v1/calendar/[redacted]",
      },
      {
        path: "/api/v1/patients/0b7c4f1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b",
        logged: "/api/v1/patients/0b7c4f1e-2a3d-4e5f-8a9b-0c1d2e3f4a5b",
      },
    ];
    for (const { path } of requests) {
      await fetch(`${server.url}${path}`, {
        headers: {
          "x-refresh-token": secrets.refresh,
          "x-request-id": "log-shape-probe",
          "user-agent": "probe/1",
        },
      });
    }
    const lines = server.logs.lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === "request completed" && line.req.id === "log-shape-probe");
    expect(lines.map((line) => line.req.url)).toEqual(requests.map((request) => request.logged));
    for (const line of lines) {
      expect(Object.keys(line.req.headers).sort()).toEqual(["host", "user-agent", "x-request-id"]);
    }
    for (const secret of Object.values(secrets)) expect(server.logs.text).not.toContain(secret);
  });
});
