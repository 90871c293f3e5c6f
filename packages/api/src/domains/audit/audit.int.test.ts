import { randomUUID } from "node:crypto";
import { auditEvents } from "@medical/db/schema";
import { sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { type AuditMeta, auditAttempt } from "#platform/audit/audit.ts";
import { useFileDeps } from "#testing/file-deps.ts";
import { signInAs } from "#testing/sign-in.ts";

const file = useFileDeps();

const meta: AuditMeta = { actor: null, requestId: "audit-test", origin: { ip: null, userAgent: null } };

describe("the audit trail (audit.list, GET /admin/audit)", () => {
  test("pages with a cursor in time order, newest first; a cursor of another order is a 400", async () => {
    for (let i = 0; i < 5; i++)
      await auditAttempt(file.deps, meta, { action: "test.paged", outcome: "SUCCESS" });
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await admin.audit.list({ action: "test.paged", limit: 2, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);

    expect(pages.map((items) => items.length)).toEqual([2, 2, 1]);
    const ids = pages.flat().map((event) => event.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const first = await admin.audit.list({ action: "test.paged", limit: 2 });
    await expect(
      admin.audit.list({ action: "test.paged", limit: 2, order: "asc", cursor: first.nextCursor ?? "" }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_FAILED" } });
  });

  test("events written within one millisecond all appear once across the pages", async () => {
    // Microseconds apart: a cursor carries milliseconds, so stored microseconds would sort some of
    // these past the cursor of the page before and no page would show them.
    const micros = [100, 200, 300, 400, 500];
    await file.deps.db.insert(auditEvents).values(
      micros.map((us) => ({
        action: "test.same-millisecond",
        outcome: "SUCCESS" as const,
        occurredAt: sql`${`2026-03-01T10:00:00.123${String(us).padStart(3, "0")}Z`}::timestamptz`,
      })),
    );
    const { caller: admin } = await signInAs(file.deps, "ADMIN");
    for (const order of ["desc", "asc"] as const) {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await admin.audit.list({
          action: "test.same-millisecond",
          order,
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.items.map((event) => event.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(new Set(seen).size).toBe(micros.length);
      expect(seen).toHaveLength(micros.length);
    }
  });

  test("filters by patient and shows the patient and the ids a list read returned", async () => {
    const patientId = randomUUID();
    const listed = [randomUUID(), randomUUID()];
    await auditAttempt(file.deps, meta, {
      action: "patient.listed",
      outcome: "SUCCESS",
      patientId,
      resourceIds: listed,
    });
    await auditAttempt(file.deps, meta, {
      action: "patient.listed",
      outcome: "SUCCESS",
      patientId: randomUUID(),
    });
    const { caller: admin } = await signInAs(file.deps, "ADMIN");

    const page = await admin.audit.list({ patientId, limit: 10 });

    expect(page.items).toEqual([
      expect.objectContaining({ action: "patient.listed", patientId, resourceIds: listed }),
    ]);
    const unrelated = await admin.audit.list({ action: "auth.login", limit: 1 });
    expect(unrelated.items[0]).toMatchObject({ patientId: null, resourceIds: null });
  });
});
