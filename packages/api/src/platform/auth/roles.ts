export { ROLES, type Role } from "@medical/db/schema";
