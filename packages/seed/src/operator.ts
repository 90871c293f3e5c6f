import { randomUUID } from "node:crypto";
import {
  type AuditMeta,
  createInProcessEventBus,
  type Deps,
  type PasswordHasher,
  systemClock,
} from "@medical/api";
import type { Database } from "@medical/db";

/** What the API's account services need outside the server: no mail, no tokens, no HTTP. */
export type OperatorDeps = Pick<Deps, "db" | "events" | "hasher" | "clock">;

/** The seed's: the cipher too, with the key the server decrypts with (the demo's PHI is encrypted). */
export type SeedDeps = OperatorDeps & Pick<Deps, "fieldCipher">;

export function operatorDeps(db: Database, hasher: PasswordHasher): OperatorDeps {
  // Nothing listens in a one-shot command; the outbox keeps any domain event for the server.
  return { db, hasher, events: createInProcessEventBus(), clock: systemClock };
}

/** A command run as the audit trail sees it: no actor, no address, one id for all its events. */
export function operatorAudit(): AuditMeta {
  return { actor: null, requestId: randomUUID(), origin: { ip: null, userAgent: null } };
}
