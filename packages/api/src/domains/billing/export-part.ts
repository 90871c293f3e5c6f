import type { Executor } from "@medical/db";
import { billingEntries, insuranceClaims, insurancePolicies } from "@medical/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { FieldCipher } from "#platform/crypto/field-cipher.ts";
import type { ExportPart } from "#platform/export-part.ts";
import { named } from "#platform/named.ts";
import { BillingTextUnreadable } from "./billing-phi.ts";
import { claimExample, selectClaimRows, toClaimDto, ZClaimDto } from "./claim-dto.ts";
import { entryExample, selectEntryRows, toEntryDto, ZBillingEntryDto } from "./entry-dto.ts";
import { claimList, entryList, policyList } from "./lists.ts";
import { policyExample, toPolicyDto, ZPolicyDto } from "./policy-dto.ts";

const billingExample = { entries: [entryExample], policies: [policyExample], claims: [claimExample] };

const ZExportedBilling = named(
  z.object({
    entries: z.array(ZBillingEntryDto).meta({ description: "Every billing entry, VOID ones included" }),
    policies: z.array(ZPolicyDto).meta({ description: "Every insurance policy, deactivated ones included" }),
    claims: z
      .array(ZClaimDto)
      .meta({ description: "Every claim on the patient's policies, with its reason" }),
  }),
  "ExportedBilling",
  {
    description: "The patient's bills, insurance policies and claims, each list oldest first",
    example: billingExample,
  },
);
type ExportedBilling = z.infer<typeof ZExportedBilling>;

const oldestFirst = { sort: "createdAt", order: "asc" } as const;

/** Reads every page of `pages` and maps each row. */
async function collect<R, T>(pages: AsyncIterable<R[]>, map: (row: R) => T): Promise<T[]> {
  const items: T[] = [];
  for await (const rows of pages) items.push(...rows.map(map));
  return items;
}

function readEntries(tx: Executor, patientId: string, cipher: FieldCipher) {
  const pages = entryList.pages(oldestFirst, ({ where, orderBy, limit }) =>
    selectEntryRows(tx)
      .where(and(eq(billingEntries.patientId, patientId), where))
      .orderBy(...orderBy)
      .limit(limit),
  );
  return collect(pages, (row) => toEntryDto(cipher, row));
}

function readPolicies(tx: Executor, patientId: string, cipher: FieldCipher) {
  const pages = policyList.pages(oldestFirst, ({ where, orderBy, limit }) =>
    tx
      .select()
      .from(insurancePolicies)
      .where(and(eq(insurancePolicies.patientId, patientId), where))
      .orderBy(...orderBy)
      .limit(limit),
  );
  return collect(pages, (policy) => toPolicyDto(cipher, policy));
}

/** Through the patient's policies: claims are indexed by policy (a claim's patient is its policy's). */
function readClaims(tx: Executor, patientId: string, cipher: FieldCipher) {
  const policiesOfPatient = tx
    .select({ id: insurancePolicies.id })
    .from(insurancePolicies)
    .where(eq(insurancePolicies.patientId, patientId));
  const pages = claimList.pages(oldestFirst, ({ where, orderBy, limit }) =>
    selectClaimRows(tx)
      .where(
        and(
          inArray(insuranceClaims.policyId, policiesOfPatient),
          eq(insuranceClaims.patientId, patientId),
          where,
        ),
      )
      .orderBy(...orderBy)
      .limit(limit),
  );
  return collect(pages, (row) => toClaimDto(cipher, row));
}

/**
 * The billing section of a patient's data export: every entry (with its description), policy
 * (with its number) and claim (with its reason), as the billing routes answer them, oldest first.
 * Keyset pages of the patient's indexes; reads by patient, without the access predicate (the
 * export service decides who exports whose file).
 */
export const billingExportPart: ExportPart<ExportedBilling> = {
  schema: ZExportedBilling,
  example: billingExample,
  async read(tx, subject, cipher) {
    return {
      entries: await readEntries(tx, subject.patientId, cipher),
      policies: await readPolicies(tx, subject.patientId, cipher),
      claims: await readClaims(tx, subject.patientId, cipher),
    };
  },
  counts: (section) => ({
    billingEntries: section.entries.length,
    insurancePolicies: section.policies.length,
    insuranceClaims: section.claims.length,
  }),
  isUnreadable: (error) => error instanceof BillingTextUnreadable,
};
