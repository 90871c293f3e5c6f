import { medicalRecordVersions } from "@medical/db/schema";
import { and, eq } from "drizzle-orm";
import { type AuditMeta, auditedTransaction } from "#platform/audit/audit.ts";
import type { Actor } from "#platform/auth/actor.ts";
import type { Deps } from "#platform/deps.ts";
import { DomainError } from "#platform/errors/errors.ts";
import type { ListInput, Page } from "#platform/list.ts";
import { findVisibleRecord, MEDICAL_RECORD_NOT_FOUND, mayReadVersions, relationTo } from "./access.ts";
import { versionList } from "./lists.service.ts";
import { auditingUnreadable, recordEvent } from "./record-audit.ts";
import {
  type MedicalRecordDto,
  type MedicalRecordVersionDto,
  toRecordDto,
  toVersionDto,
} from "./record-dto.ts";

type ReadDeps = Pick<Deps, "db" | "events" | "fieldCipher">;

const notFound = () => new DomainError("NOT_FOUND", MEDICAL_RECORD_NOT_FOUND);

/**
 * `GET /medical-records/{id}`: the record for those who may read it. The read is audited in its
 * transaction, a refused one in a transaction of its own.
 */
export function getRecord(
  deps: ReadDeps,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  id: string,
): Promise<MedicalRecordDto> {
  return auditingUnreadable(deps, audit, "medical_record.read", () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await findVisibleRecord(tx, actor, id);
      if (!row)
        return record.refuse(
          recordEvent("medical_record.read", "DENIED", { recordId: id, reason: "not_visible" }),
          notFound(),
        );
      const dto = toRecordDto(deps.fieldCipher, row);
      record.audit(
        recordEvent("medical_record.read", "SUCCESS", { recordId: id, patientId: row.record.patientId }),
      );
      return dto;
    }),
  );
}

/**
 * `GET /medical-records/{id}/versions`: every version of a record its author, its patient or ADMIN
 * reads (mayReadVersions), newest first; a page read audited with the version ids it returned.
 */
export function listVersions(
  deps: ReadDeps,
  audit: AuditMeta,
  actor: Pick<Actor, "userId" | "role">,
  input: ListInput<"version"> & { id: string },
): Promise<Page<MedicalRecordVersionDto>> {
  const { id } = input;
  return auditingUnreadable(deps, audit, "medical_record.versions", () =>
    auditedTransaction(deps, audit, async (tx, record) => {
      const row = await findVisibleRecord(tx, actor, id);
      if (!row)
        return record.refuse(
          recordEvent("medical_record.versions", "DENIED", { recordId: id, reason: "not_visible" }),
          notFound(),
        );
      const { patientId } = row.record;
      if (!mayReadVersions(actor, await relationTo(tx, actor, id)))
        return record.refuse(
          recordEvent("medical_record.versions", "DENIED", { recordId: id, patientId, reason: "not_author" }),
          notFound(),
        );
      const page = await versionList.page(input, ({ where, orderBy, limit }) =>
        tx
          .select()
          .from(medicalRecordVersions)
          .where(and(eq(medicalRecordVersions.recordId, id), where))
          .orderBy(...orderBy)
          .limit(limit),
      );
      const items = page.items.map((version) => toVersionDto(deps.fieldCipher, row.record, version));
      record.audit(
        recordEvent("medical_record.versions", "SUCCESS", {
          recordId: id,
          patientId,
          resourceIds: items.map((item) => item.id),
        }),
      );
      return { items, nextCursor: page.nextCursor };
    }),
  );
}
