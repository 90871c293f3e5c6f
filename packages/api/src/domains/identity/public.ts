/**
 * What other domains may use of identity: accounts made with a profile, and the account's section
 * of a patient's data export.
 */
export {
  createProfileWithAccount,
  type InsertProfile,
  type ProfileOwner,
} from "./account-or-invite.service.ts";
export { accountExportPart } from "./export-part.ts";
