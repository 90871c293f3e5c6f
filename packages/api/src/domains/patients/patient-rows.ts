import { type Executor, pickColumns } from "@medical/db";
import { patients, users } from "@medical/db/schema";
import { eq, getTableColumns } from "drizzle-orm";

/** The columns of a PatientRow: the profile and the account's names and phone. */
export const patientRowColumns = {
  ...getTableColumns(patients),
  ...pickColumns(users, ["firstName", "lastName", "phone"]),
};

/** Patient rows joined to their accounts; callers add the visibility predicate (access.ts). */
export const selectPatientRows = (db: Executor) =>
  db.select(patientRowColumns).from(patients).innerJoin(users, eq(users.id, patients.userId));
