import { pgErrorFacts, type Transaction } from "@medical/db";
import { type Role, type SessionRevocationReason, type User, users } from "@medical/db/schema";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { AuditMeta } from "#platform/audit/audit.ts";
import { recordAudit } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import { invitationMail } from "#platform/mail/messages.ts";
import {
  dateSortValue,
  type KeysetSort,
  keyset,
  type Order,
  parseDateSortValue,
  parseStringSortValue,
} from "#platform/pagination.ts";
import { sendAfterAnswer } from "./mail.ts";
import { normalizeEmail } from "./normalize.ts";
import { announceRevocation, revokeSessions } from "./sessions.service.ts";
import { toUserDto, type UserDto } from "./user-dto.ts";
import { createUserToken, TOKEN_LIFETIME_MS } from "./user-tokens.service.ts";

const UNIQUE_VIOLATION = "23505";

export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  phone?: string | null;
  locale?: string;
}

async function findUser(deps: Pick<Deps, "db">, id: string): Promise<User> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!user) throw new DomainError("NOT_FOUND", "User not found");
  return user;
}

export async function getMe(deps: Deps, actor: Actor): Promise<UserDto> {
  return toUserDto(await findUser(deps, actor.userId));
}

/** Names, phone and locale only: nobody changes their own role, email or active flag here. */
export async function updateMe(
  deps: Deps,
  audit: AuditMeta,
  actor: Actor,
  changes: ProfileChanges,
): Promise<UserDto> {
  const [user] = await deps.db
    .update(users)
    .set({ ...changes, updatedAt: deps.clock.now() })
    .where(eq(users.id, actor.userId))
    .returning();
  if (!user) throw new DomainError("NOT_FOUND", "User not found");
  await recordAudit(deps.db, audit, {
    action: "user.profile_updated",
    outcome: "SUCCESS",
    targetType: "user",
    targetId: user.id,
    details: { fields: Object.keys(changes).join(",") },
  });
  return toUserDto(user);
}

export const USER_SORTS = {
  createdAt: {
    name: "createdAt",
    column: users.createdAt,
    valueOf: (u: User) => dateSortValue(u.createdAt),
    parse: parseDateSortValue,
  },
  email: { name: "email", column: users.email, valueOf: (u: User) => u.email, parse: parseStringSortValue },
  lastName: {
    name: "lastName",
    column: users.lastName,
    valueOf: (u: User) => u.lastName,
    parse: parseStringSortValue,
  },
} satisfies Record<string, KeysetSort<User>>;

export interface ListUsersInput {
  role?: Role;
  isActive?: boolean;
  q?: string;
  sort: keyof typeof USER_SORTS;
  order: Order;
  limit: number;
  cursor?: string;
}

/** Admin list: filters, accent-insensitive search over names and email, keyset pages. */
export async function listUsers(
  deps: Deps,
  input: ListUsersInput,
): Promise<{ items: UserDto[]; nextCursor: string | null }> {
  const page = keyset(USER_SORTS[input.sort], { column: users.id, schema: z.uuid() }, input.order, input);
  const filters: (SQL | undefined)[] = [
    input.role ? eq(users.role, input.role) : undefined,
    input.isActive === undefined ? undefined : eq(users.isActive, input.isActive),
    input.q ? sql`${users.searchKey} like '%' || f_search_key(${input.q}) || '%'` : undefined,
    page.where,
  ];
  const rows = await deps.db
    .select()
    .from(users)
    .where(and(...filters))
    .orderBy(...page.orderBy)
    .limit(page.take);
  const { items, nextCursor } = page.page(rows);
  return { items: items.map(toUserDto), nextCursor };
}

export async function getUser(deps: Deps, id: string): Promise<UserDto> {
  return toUserDto(await findUser(deps, id));
}

export interface CreateUserInput extends ProfileChanges {
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
}

/**
 * An account created by an admin has no password: the invitation mail lets the person set one.
 * `alsoInTransaction` adds what must exist with the account (a doctor's or patient's profile),
 * so neither is created without the other.
 */
export async function createUser(
  deps: Deps,
  audit: AuditMeta,
  input: CreateUserInput,
  alsoInTransaction?: (tx: Transaction, user: User) => Promise<void>,
): Promise<UserDto> {
  const email = normalizeEmail(input.email);
  try {
    const { user, token } = await deps.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(users)
        .values({ ...input, email, passwordHash: null })
        .returning();
      if (!created) throw new Error("insert returned no row");
      const invitation = await createUserToken(deps.clock, tx, created.id, "INVITATION");
      await recordAudit(tx, audit, {
        action: "user.created",
        outcome: "SUCCESS",
        targetType: "user",
        targetId: created.id,
        details: { role: created.role },
      });
      await alsoInTransaction?.(tx, created);
      return { user: created, token: invitation };
    });
    sendAfterAnswer(
      deps,
      invitationMail({
        to: user.email,
        firstName: user.firstName,
        token,
        locale: user.locale,
        appUrl: deps.settings.appUrl,
        role: user.role,
        expiresInDays: TOKEN_LIFETIME_MS.INVITATION / 86_400_000,
      }),
    );
    return toUserDto(user);
  } catch (error) {
    if (pgErrorFacts(error)?.code === UNIQUE_VIOLATION) throw new DomainError("EMAIL_TAKEN");
    throw error;
  }
}

export interface AdminUserChanges extends ProfileChanges {
  role?: Role;
  isActive?: boolean;
}

/**
 * Admin update. A role change or a deactivation ends the user's sessions. The last active admin
 * can be neither demoted nor deactivated: the active admins' rows are locked first, so two
 * admins demoting each other at once cannot both succeed.
 */
export async function updateUser(
  deps: Deps,
  audit: AuditMeta,
  id: string,
  changes: AdminUserChanges,
): Promise<UserDto> {
  const { user, revoked, reason } = await deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for("update").limit(1);
    if (!current) throw new DomainError("NOT_FOUND", "User not found");
    const roleChanged = changes.role !== undefined && changes.role !== current.role;
    const deactivated = changes.isActive === false && current.isActive;
    if (current.role === "ADMIN" && current.isActive && (roleChanged || deactivated)) {
      const admins = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.role, "ADMIN"), eq(users.isActive, true)))
        .for("update");
      if (admins.filter((admin) => admin.id !== id).length === 0) throw new DomainError("LAST_ADMIN");
    }
    const [updated] = await tx
      .update(users)
      .set({ ...changes, updatedAt: deps.clock.now() })
      .where(eq(users.id, id))
      .returning();
    if (!updated) throw new DomainError("NOT_FOUND", "User not found");
    const endReason: SessionRevocationReason | undefined = deactivated
      ? "DEACTIVATED"
      : roleChanged
        ? "ROLE_CHANGED"
        : undefined;
    const ids = endReason ? await revokeSessions(deps, tx, id, endReason) : [];
    const facts = { ...(roleChanged ? { from: current.role, to: updated.role } : {}) };
    if (roleChanged) {
      await recordAudit(tx, audit, {
        action: "user.role_changed",
        outcome: "SUCCESS",
        targetType: "user",
        targetId: id,
        details: facts,
      });
    }
    if (changes.isActive !== undefined && changes.isActive !== current.isActive) {
      await recordAudit(tx, audit, {
        action: changes.isActive ? "user.activated" : "user.deactivated",
        outcome: "SUCCESS",
        targetType: "user",
        targetId: id,
      });
    }
    const profileFields = Object.keys(changes).filter((key) => key !== "role" && key !== "isActive");
    if (profileFields.length) {
      await recordAudit(tx, audit, {
        action: "user.profile_updated",
        outcome: "SUCCESS",
        targetType: "user",
        targetId: id,
        details: { fields: profileFields.join(",") },
      });
    }
    return { user: updated, revoked: ids, reason: endReason };
  });
  if (reason) announceRevocation(deps, user.id, revoked, reason);
  return toUserDto(user);
}

/** DELETE deactivates: accounts are referred to by records and the audit trail. */
export function deactivateUser(deps: Deps, audit: AuditMeta, id: string): Promise<UserDto> {
  return updateUser(deps, audit, id, { isActive: false });
}
