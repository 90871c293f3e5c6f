import type { Executor, Transaction } from "@medical/db";
import type { AuditOutcome } from "@medical/db/schema";
import { findOwnPatient, findVisiblePatient } from "#domains/patients/public.ts";
import { type AuditEntry, type AuditMeta, auditAttempt, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import type { ExportPart, ExportSubject } from "#platform/export-part.ts";
import { EXPORT_SCHEMA_VERSION, exportParts, type PatientExport } from "./export.schema.ts";

export const EXPORT_ACTION = "patient.export";

type ExportDeps = Pick<Deps, "db" | "events" | "fieldCipher" | "clock" | "rateLimits" | "settings">;
type Section = keyof typeof exportParts;
type Refusal = "role" | "no_profile" | "not_found";

/** The export's audit event: whose file, and small facts (counts, a reason, a section), never a value. */
function exportEvent(
  outcome: AuditOutcome,
  patientId: string | null,
  details: NonNullable<AuditEntry["details"]>,
): AuditEntry {
  return { action: EXPORT_ACTION, outcome, targetType: "patient", targetId: patientId, patientId, details };
}

const refusal = (patientId: string | null, reason: Refusal) => exportEvent("DENIED", patientId, { reason });

/**
 * A few exports per user in a window (RATE_LIMIT_EXPORT, default 5 in 10 minutes): each one reads a
 * whole file in one transaction, and nobody needs it often. Counted after the role check, so only
 * exports that would run spend it; RATE_LIMITED reads nothing and is not audited.
 */
async function limitExports(deps: Pick<Deps, "rateLimits" | "settings">, actor: Actor): Promise<void> {
  const windows = deps.settings.rateLimits.export;
  if (windows.length) await deps.rateLimits.consume({ name: "patient-export", windows }, actor.userId);
}

/** A section's stored text that does not decrypt: the export fails, audited with the section's name. */
class ExportUnreadable extends Error {
  override readonly name = "ExportUnreadable";
  constructor(
    readonly section: Section,
    readonly patientId: string,
    options?: ErrorOptions,
  ) {
    super(`the ${section} section of a patient's export does not decrypt`, options);
  }
}

/** Reads the sections in the export's transaction, adding each one's counts to `counts`. */
async function readSections(
  deps: ExportDeps,
  tx: Executor,
  subject: ExportSubject,
  counts: Record<string, number>,
): Promise<Omit<PatientExport, "schemaVersion" | "exportedAt">> {
  async function read<T>(section: Section, part: ExportPart<T>): Promise<T> {
    try {
      const value = await part.read(tx, subject, deps.fieldCipher);
      Object.assign(counts, part.counts(value));
      return value;
    } catch (error) {
      if (part.isUnreadable(error)) throw new ExportUnreadable(section, subject.patientId, { cause: error });
      throw error;
    }
  }
  return {
    account: await read("account", exportParts.account),
    patient: await read("patient", exportParts.patient),
    appointments: await read("appointments", exportParts.appointments),
    medicalRecords: await read("medicalRecords", exportParts.medicalRecords),
    billing: await read("billing", exportParts.billing),
    reviews: await read("reviews", exportParts.reviews),
    favorites: await read("favorites", exportParts.favorites),
    accessLog: await read("accessLog", exportParts.accessLog),
    notifications: await read("notifications", exportParts.notifications),
  };
}

/**
 * The whole file of the patient `find` locates (through the patients' access predicate), read in
 * one REPEATABLE READ transaction — every section from the same snapshot, however many pages each
 * takes — and audited there as ONE `patient.export` event with the counts per section (decision
 * record 0028). Not found: NOT_FOUND `notFound`, audited as a refusal. A stored text that does not
 * decrypt fails the export, audited as a FAILURE naming the section.
 */
async function exportFile(
  deps: ExportDeps,
  audit: AuditMeta,
  find: (tx: Transaction) => Promise<{ id: string; userId: string } | undefined>,
  notFound: { message: string; event: AuditEntry },
): Promise<PatientExport> {
  try {
    return await auditedTransaction(
      deps,
      audit,
      async (tx, record) => {
        const patient = await find(tx);
        if (!patient) return record.refuse(notFound.event, new DomainError("NOT_FOUND", notFound.message));
        const exportedAt = deps.clock.now();
        const counts: Record<string, number> = {};
        const sections = await readSections(
          deps,
          tx,
          { patientId: patient.id, userId: patient.userId },
          counts,
        );
        record.audit(exportEvent("SUCCESS", patient.id, { schemaVersion: EXPORT_SCHEMA_VERSION, ...counts }));
        return { schemaVersion: EXPORT_SCHEMA_VERSION, exportedAt, ...sections };
      },
      { isolationLevel: "repeatable read" },
    );
  } catch (error) {
    if (error instanceof ExportUnreadable)
      await auditAttempt(
        deps,
        audit,
        exportEvent("FAILURE", error.patientId, { reason: "undecryptable", section: error.section }),
      );
    throw error;
  }
}

/**
 * `GET /patients/me/export`: a PATIENT's own file, their profile deactivated or not (the right of
 * access outlives the account's use). Any other role: FORBIDDEN; no profile yet: NOT_FOUND. Both
 * refusals are audited. Rate-limited per user (RATE_LIMITED).
 */
export async function exportOwnFile(
  deps: ExportDeps,
  audit: AuditMeta,
  actor: Actor,
): Promise<PatientExport> {
  if (actor.role !== "PATIENT") {
    await auditAttempt(deps, audit, refusal(null, "role"));
    throw new DomainError("FORBIDDEN", "Only a patient exports their own file");
  }
  await limitExports(deps, actor);
  return exportFile(deps, audit, (tx) => findOwnPatient(tx, actor), {
    message: "You have no patient profile, so no file to export (POST /patients/me creates it)",
    event: refusal(null, "no_profile"),
  });
}

/**
 * `GET /patients/{id}/export`: ADMIN exports any patient's file. Any other role: FORBIDDEN, the
 * refusal audited with the patient asked for (in that patient's access log when the id is theirs);
 * an unknown id: NOT_FOUND, audited. Rate-limited per ADMIN (RATE_LIMITED).
 */
export async function exportPatientFile(
  deps: ExportDeps,
  audit: AuditMeta,
  actor: Actor,
  patientId: string,
): Promise<PatientExport> {
  if (actor.role !== "ADMIN") {
    await auditAttempt(deps, audit, refusal(patientId, "role"));
    throw new DomainError("FORBIDDEN", "Only ADMIN exports a patient's file");
  }
  await limitExports(deps, actor);
  return exportFile(deps, audit, (tx) => findVisiblePatient(tx, actor, patientId), {
    message: "Patient not found",
    event: { ...refusal(null, "not_found"), targetId: patientId },
  });
}

/** The file name a download of `document` is saved under. */
export const exportFileName = (document: PatientExport) => `patient-export-${document.patient.id}.json`;
