import { announcements, users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Role } from "#platform/auth/roles.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import type { AnnouncementDto } from "./notifications.schema.ts";

export interface AnnouncementInput {
  userId?: string;
  role?: Role;
  title: string;
  body: string;
}

/**
 * `POST /notifications` (ADMIN): the announcement is stored with its `announcement.published`
 * event and audited in one transaction; the notifications consumer fans it out (one writer of
 * notifications, so every position is assigned in commit order). An unknown account: NOT_FOUND.
 */
export function sendAnnouncement(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  actor: Actor,
  input: AnnouncementInput,
): Promise<AnnouncementDto> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    if (input.userId) {
      // ADMIN sees every account (identity's predicate), so any existing id is a valid audience.
      const [account] = await tx
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, input.userId))
        .limit(1);
      if (!account) throw new DomainError("NOT_FOUND", "User not found");
    }
    const [row] = await tx
      .insert(announcements)
      .values({
        title: input.title,
        body: input.body,
        userId: input.userId ?? null,
        role: input.role ?? null,
        createdBy: actor.userId,
        createdAt: deps.clock.now(),
      })
      .returning();
    if (!row) throw new Error("insert returned no row");
    record.emit("announcement.published", { v: 1, announcementId: row.id });
    record.audit({
      action: "notification.announced",
      outcome: "SUCCESS",
      targetType: "announcement",
      targetId: row.id,
      details: { audience: row.role ?? "user", ...(row.userId ? { userId: row.userId } : {}) },
    });
    return {
      id: row.id,
      userId: row.userId,
      role: row.role,
      title: row.title,
      body: row.body,
      createdAt: row.createdAt,
    };
  });
}
