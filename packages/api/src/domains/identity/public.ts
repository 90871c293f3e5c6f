/** What other domains may use of identity. */
export {
  createProfileWithAccount,
  type InsertProfile,
  type ProfileOwner,
} from "./account-or-invite.service.ts";
