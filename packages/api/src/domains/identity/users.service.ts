import { type Role, type SessionRevocationReason, type User, users } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { defineList, type ListInput, type Page } from "#platform/list.ts";
import { findOwnAccount, findVisibleUser, unsafeLockActiveAdmins, userVisibleTo } from "./access.ts";
import { insertInvitedUser, mapUniqueViolation, sendInvitation } from "./account-or-invite.service.ts";
import { revokeSessions } from "./sessions.service.ts";
import { toUserDto, type UserDto } from "./user-dto.ts";

export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  phone?: string | null;
  locale?: string;
  timezone?: string;
}

const userNotFound = () => new DomainError("NOT_FOUND", "User not found");

export async function getMe(deps: Pick<Deps, "db">, actor: Actor): Promise<UserDto> {
  const user = await findOwnAccount(deps.db, actor);
  if (!user) throw userNotFound();
  return toUserDto(user);
}

/** Names, phone, locale and time zone only: nobody changes their own role, email or active flag here. */
export function updateMe(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  changes: ProfileChanges,
): Promise<UserDto> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    const [user] = await tx
      .update(users)
      .set({ ...changes, updatedAt: deps.clock.now() })
      .where(and(eq(users.id, actor.userId), userVisibleTo(actor)))
      .returning();
    if (!user) throw userNotFound();
    record.audit({
      action: "user.profile_updated",
      outcome: "SUCCESS",
      targetType: "user",
      targetId: user.id,
      details: { fields: Object.keys(changes).join(",") },
    });
    return toUserDto(user);
  });
}

type UserSort = "createdAt" | "email" | "lastName";

/** The admin list's sorts. */
export const userList = defineList<User, UserSort>({
  sorts: { createdAt: users.createdAt, email: users.email, lastName: users.lastName },
  id: users.id,
  defaultSort: "createdAt",
  defaultOrder: "desc",
});

export interface ListUsersInput extends ListInput<UserSort> {
  role?: Role;
  isActive?: boolean;
  q?: string;
}

/** Admin list: filters, accent-insensitive search over names and email, keyset pages. */
export async function listUsers(
  deps: Pick<Deps, "db">,
  actor: Actor,
  input: ListUsersInput,
): Promise<Page<UserDto>> {
  const filters: (SQL | undefined)[] = [
    input.role ? eq(users.role, input.role) : undefined,
    input.isActive === undefined ? undefined : eq(users.isActive, input.isActive),
    input.q ? sql`${users.searchKey} like '%' || f_search_key(${input.q}) || '%'` : undefined,
    userVisibleTo(actor),
  ];
  const page = await userList.page(input, ({ where, orderBy, limit }) =>
    deps.db
      .select()
      .from(users)
      .where(and(...filters, where))
      .orderBy(...orderBy)
      .limit(limit),
  );
  return { items: page.items.map(toUserDto), nextCursor: page.nextCursor };
}

export interface CreateUserInput extends ProfileChanges {
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
}

/** An account created by an admin has no password: the invitation mail lets the person set one. */
export async function createUser(deps: Deps, audit: AuditMeta, input: CreateUserInput): Promise<UserDto> {
  try {
    const { user, token } = await auditedTransaction(deps, audit, (tx, record) =>
      insertInvitedUser(deps, tx, record, input),
    );
    sendInvitation(deps, user, token);
    return toUserDto(user);
  } catch (error) {
    throw mapUniqueViolation(error, "An account with this email already exists");
  }
}

export interface AdminUserChanges extends ProfileChanges {
  role?: Role;
  isActive?: boolean;
}

/**
 * Admin update of an account the resource procedure loaded. A role change or a deactivation
 * ends the user's sessions. The last active admin can be neither demoted nor deactivated: the
 * active admins' rows are locked first, so two admins demoting each other at once cannot both
 * succeed; the refusal is audited.
 */
export function updateUser(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  target: User,
  changes: AdminUserChanges,
): Promise<UserDto> {
  return auditedTransaction(deps, audit, async (tx, record) => {
    // A change that could remove an admin locks the active admins first, in id order, before the
    // target: two admins demoting each other then queue on the same first row, where locking
    // each other's row first deadlocked (PostgreSQL aborted one with 40P01, a 500).
    const mayRemoveAdmin = changes.role !== undefined || changes.isActive === false;
    const admins = mayRemoveAdmin ? await unsafeLockActiveAdmins(tx) : [];
    // Read again under the lock: the row the procedure loaded may have changed since.
    const current = await findVisibleUser(tx, actor, target.id, { lock: true });
    if (!current) throw userNotFound();
    const roleChanged = changes.role !== undefined && changes.role !== current.role;
    const activeChanged = changes.isActive !== undefined && changes.isActive !== current.isActive;
    const deactivated = activeChanged && !changes.isActive;
    if (current.role === "ADMIN" && current.isActive && (roleChanged || deactivated)) {
      if (admins.every((admin) => admin.id === current.id)) {
        record.refuse(
          {
            action: deactivated ? "user.deactivated" : "user.role_changed",
            outcome: "DENIED",
            targetType: "user",
            targetId: current.id,
            details: { reason: "last_admin" },
          },
          new DomainError("LAST_ADMIN"),
        );
      }
    }
    const [updated] = await tx
      .update(users)
      .set({ ...changes, updatedAt: deps.clock.now() })
      .where(eq(users.id, current.id))
      .returning();
    if (!updated) throw userNotFound();
    const endReason: SessionRevocationReason | undefined = deactivated
      ? "DEACTIVATED"
      : roleChanged
        ? "ROLE_CHANGED"
        : undefined;
    if (endReason) await revokeSessions(deps, tx, record, current.id, endReason);
    const event = { outcome: "SUCCESS", targetType: "user", targetId: current.id } as const;
    if (roleChanged) {
      record.audit({
        ...event,
        action: "user.role_changed",
        details: { from: current.role, to: updated.role },
      });
    }
    if (activeChanged)
      record.audit({ ...event, action: changes.isActive ? "user.activated" : "user.deactivated" });
    const profileFields = Object.keys(changes).filter((key) => key !== "role" && key !== "isActive");
    if (profileFields.length) {
      record.audit({
        ...event,
        action: "user.profile_updated",
        details: { fields: profileFields.join(",") },
      });
    }
    return toUserDto(updated);
  });
}

/** DELETE deactivates: accounts are referred to by records and the audit trail. */
export function deactivateUser(deps: Deps, audit: AuditMeta, actor: Actor, target: User): Promise<UserDto> {
  return updateUser(deps, audit, actor, target, { isActive: false });
}
