import { users } from "@medical/db/schema";
import { eq } from "drizzle-orm";
import type { ExportPart } from "#platform/export-part.ts";
import { toUserDto, type UserDto, userDtoColumns, userExample, ZUserDto } from "./user-dto.ts";

/**
 * The account section of a patient's data export: the account as `GET /users/me` answers its owner
 * (email, names, phone, locale, role, whether it is active and verified, when it was made) — never
 * a password hash, a token or an internal flag, which the DTO's columns leave out. Reads the
 * subject's own account by id (the export service decides who exports whose file).
 */
export const accountExportPart: ExportPart<UserDto> = {
  schema: ZUserDto,
  example: userExample,
  async read(tx, subject) {
    const [row] = await tx.select(userDtoColumns).from(users).where(eq(users.id, subject.userId)).limit(1);
    if (!row) throw new Error("the exported patient's account vanished inside its snapshot");
    return toUserDto(row);
  },
  counts: () => ({ account: 1 }),
  // The account holds no encrypted text.
  isUnreadable: () => false,
};
