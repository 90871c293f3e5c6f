import { randomUUID } from "node:crypto";
import { auditEvents, domainEvents, specialties } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { useFileDeps } from "#testing/file-deps.ts";
import { DomainError } from "../errors/errors.ts";
import type { DomainEvents } from "../events/event-bus.ts";
import { type AuditMeta, auditAttempt, auditedTransaction } from "./audit.ts";

const file = useFileDeps();

const meta = (): AuditMeta => ({
  actor: { userId: randomUUID(), role: "ADMIN" },
  requestId: randomUUID(),
  origin: { ip: "203.0.113.9", userAgent: "vitest" },
});

const revoked = (userId: string): DomainEvents["session.revoked"] => ({
  v: 1,
  userId,
  sessionIds: [randomUUID()],
  reason: "LOGOUT",
});

const auditOf = (requestId: string) =>
  file.db.select().from(auditEvents).where(eq(auditEvents.requestId, requestId)).orderBy(auditEvents.id);
const eventsOf = (userId: string) =>
  file.db.select().from(domainEvents).where(eq(domainEvents.actorId, userId)).orderBy(domainEvents.seq);

describe("auditedTransaction", () => {
  test("commits the change, its audit events and its domain events together, then publishes", async () => {
    const m = meta();
    const actorId = m.actor?.userId ?? "";
    const published: unknown[] = [];
    const stop = file.deps.events.subscribe("session.revoked", (event) => published.push(event));
    const name = `Audit ${randomUUID()}`;
    const id = await auditedTransaction(file.deps, m, async (tx, record) => {
      const [row] = await tx.insert(specialties).values({ name }).returning({ id: specialties.id });
      record.audit({
        action: "specialty.created",
        outcome: "SUCCESS",
        targetType: "specialty",
        targetId: row?.id,
      });
      record.emit("session.revoked", revoked(actorId));
      // Nothing is published before the commit.
      expect(published).toHaveLength(0);
      return row?.id;
    });
    stop();
    expect(await file.db.select().from(specialties).where(eq(specialties.name, name))).toHaveLength(1);
    expect(await auditOf(m.requestId)).toMatchObject([
      {
        action: "specialty.created",
        outcome: "SUCCESS",
        targetId: id,
        actorId,
        actorRole: "ADMIN",
        ip: "203.0.113.9",
      },
    ]);
    const events = await eventsOf(actorId);
    expect(events).toMatchObject([{ type: "session.revoked", actorId, payload: { userId: actorId, v: 1 } }]);
    expect(published).toEqual([events[0]?.payload]);
  });

  test("a failure rolls back the change, its audit events and its domain events; nothing is published", async () => {
    const m = meta();
    const actorId = m.actor?.userId ?? "";
    const published: unknown[] = [];
    const stop = file.deps.events.subscribe("session.revoked", (event) => published.push(event));
    const name = `Rolled back ${randomUUID()}`;
    await expect(
      auditedTransaction(file.deps, m, async (tx, record) => {
        await tx.insert(specialties).values({ name });
        record.audit({ action: "specialty.created", outcome: "SUCCESS" });
        record.emit("session.revoked", revoked(actorId));
        throw new DomainError("CONFLICT", "late failure");
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    stop();
    expect(await file.db.select().from(specialties).where(eq(specialties.name, name))).toHaveLength(0);
    expect(await auditOf(m.requestId)).toHaveLength(0);
    expect(await eventsOf(actorId)).toHaveLength(0);
    expect(published).toHaveLength(0);
  });

  test("a refusal rolls the change back but its audit event survives, and the caller gets the refusal", async () => {
    const m = meta();
    const name = `Refused ${randomUUID()}`;
    await expect(
      auditedTransaction(file.deps, m, async (tx, record) => {
        await tx.insert(specialties).values({ name });
        record.audit({ action: "specialty.created", outcome: "SUCCESS" });
        record.refuse(
          { action: "specialty.create", outcome: "DENIED", details: { reason: "not_permitted" } },
          new DomainError("FORBIDDEN"),
        );
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await file.db.select().from(specialties).where(eq(specialties.name, name))).toHaveLength(0);
    expect(await auditOf(m.requestId)).toMatchObject([
      { action: "specialty.create", outcome: "DENIED", details: { reason: "not_permitted" } },
    ]);
  });
});

describe("auditAttempt", () => {
  test("records an attempt that changed nothing, with the patient and the ids a list returned", async () => {
    const m = meta();
    const patientId = randomUUID();
    const ids = [randomUUID(), randomUUID()];
    await auditAttempt(file.deps, m, {
      action: "patient.clinical.read",
      outcome: "DENIED",
      patientId,
      resourceIds: ids,
      actor: null,
    });
    expect(await auditOf(m.requestId)).toMatchObject([
      { action: "patient.clinical.read", outcome: "DENIED", patientId, resourceIds: ids, actorId: null },
    ]);
  });
});
