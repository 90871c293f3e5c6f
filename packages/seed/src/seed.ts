import { type FieldCipher, type PasswordHasher, type Role, sealRecordText } from "@medical/api";
import type { Database } from "@medical/db";
import { DEMO_ADMIN, type EnsureAdminResult, ensureAdmin } from "./admin.ts";
import { type BulkResult, type LoadProgress, loadBulk } from "./bulk/index.ts";
import { buildDemoData, DEMO_PASSWORD } from "./demo/build.ts";
import { type DemoResult, loadDemo } from "./demo/load.ts";
import { operatorAudit, operatorDeps } from "./operator.ts";

export interface SeedOptions {
  /** Argon2id at the configured cost; DEMO_PASSWORD goes through it at most once per run. */
  hasher: PasswordHasher;
  /** Encrypts the demo's PHI (reasons for visits…) with the key the server reads with. */
  fieldCipher: FieldCipher;
  /** ADMIN_EMAIL + ADMIN_PASSWORD when both are set, otherwise the demo admin. */
  admin?: { email: string; password: string };
  adminNames: { firstName: string; lastName: string };
  /** Generated doctors (and as many patients, appointments and records) to add after the demo set; 0 or absent for none. */
  size?: number;
  onProgress?: (progress: LoadProgress) => void;
}

export interface SignIn {
  role: Role;
  email: string;
  /** Undefined for an admin from ADMIN_PASSWORD: the command never prints that secret. */
  password?: string;
}

export interface SeedReport {
  admin: EnsureAdminResult;
  demo: DemoResult;
  bulk?: BulkResult;
  /** One account per role to sign in with, which `pnpm seed` prints last. */
  signIns: SignIn[];
}

/** Hashes DEMO_PASSWORD once, when an account first needs it, and every other password as usual. */
function sharingDemoHash(hasher: PasswordHasher): PasswordHasher {
  let demoHash: Promise<string> | undefined;
  return {
    hash(plain) {
      if (plain !== DEMO_PASSWORD) return hasher.hash(plain);
      demoHash ??= hasher.hash(DEMO_PASSWORD);
      return demoHash;
    },
    verify: hasher.verify,
  };
}

/**
 * Everything `pnpm seed` writes, in order: the admin, the demo set, then `size` generated doctors
 * and patients. Every account with the demo password stores the same single hash.
 */
export async function runSeed(db: Database, options: SeedOptions): Promise<SeedReport> {
  const deps = operatorDeps(db, sharingDemoHash(options.hasher));
  const audit = operatorAudit();
  const admin = await ensureAdmin(deps, audit, {
    ...(options.admin ?? DEMO_ADMIN),
    ...options.adminNames,
    via: "seed",
  });
  const demo = await loadDemo({ ...deps, fieldCipher: options.fieldCipher }, audit);
  const signIns = [...adminSignIn(admin, options.admin === undefined), ...demoSignIns()];
  if (!options.size) return { admin, demo, signIns };
  const bulk = await loadBulk(db, {
    size: options.size,
    passwordHash: await deps.hasher.hash(DEMO_PASSWORD),
    sealRecord: (table, rowId, content) => sealRecordText(options.fieldCipher, table, rowId, content),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { admin, demo, bulk, signIns };
}

/** The admin's sign-in, unless its e-mail belongs to an account of another role (never promoted). */
function adminSignIn({ user }: EnsureAdminResult, demoAdmin: boolean): SignIn[] {
  if (user.role !== "ADMIN") return [];
  return [{ role: "ADMIN", email: user.email, ...(demoAdmin ? { password: DEMO_ADMIN.password } : {}) }];
}

function demoSignIns(): SignIn[] {
  const { signIn } = buildDemoData();
  return (["DOCTOR", "PATIENT", "STAFF"] as const).map((role) => ({
    role,
    email: signIn[role],
    password: DEMO_PASSWORD,
  }));
}
