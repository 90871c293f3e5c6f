import type { Executor } from "@medical/db";
import { NOTIFICATION_TYPES, notificationPreferences } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import { type AuditMeta, auditedTransaction, namedFields } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import type { PreferenceChanges, Preferences } from "./notifications.schema.ts";

/** Every type, stored choices over the default (every channel on). */
async function readPreferences(db: Executor, userId: string): Promise<Preferences> {
  const rows = await db
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId));
  const stored = new Map(rows.map((row) => [row.type, { inApp: row.inApp, email: row.email }]));
  const preferences: Preferences = {
    APPOINTMENT: { inApp: true, email: true },
    CHAT: { inApp: true, email: true },
    BILLING: { inApp: true, email: true },
    RECORD: { inApp: true, email: true },
    SYSTEM: { inApp: true, email: true },
  };
  for (const type of NOTIFICATION_TYPES) preferences[type] = stored.get(type) ?? preferences[type];
  return preferences;
}

/** `GET /notifications/preferences`: the caller's own. */
export function getPreferences(deps: Pick<Deps, "db">, actor: Actor): Promise<Preferences> {
  return readPreferences(deps.db, actor.userId);
}

/** Changes only the channels named; the account's settings change is audited (which types, not how). */
export function updatePreferences(
  deps: Pick<Deps, "db" | "events" | "clock">,
  audit: AuditMeta,
  actor: Actor,
  changes: PreferenceChanges,
): Promise<Preferences> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    const now = deps.clock.now();
    for (const type of NOTIFICATION_TYPES) {
      const change = changes[type];
      if (!change || (change.inApp === undefined && change.email === undefined)) continue;
      await tx
        .insert(notificationPreferences)
        .values({
          userId: actor.userId,
          type,
          inApp: change.inApp ?? true,
          email: change.email ?? true,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [notificationPreferences.userId, notificationPreferences.type],
          set: {
            ...(change.inApp === undefined ? {} : { inApp: change.inApp }),
            ...(change.email === undefined ? {} : { email: change.email }),
            updatedAt: now,
          },
        });
    }
    record.audit({
      action: "notification.preferences_updated",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: actor.userId,
      details: { types: namedFields(changes) },
    });
    return readPreferences(tx, actor.userId);
  });
}
