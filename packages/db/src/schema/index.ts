export * from "./appointments.ts";
export * from "./audit.ts";
export * from "./availability.ts";
export * from "./doctors.ts";
export * from "./events.ts";
export * from "./patients.ts";
export * from "./records.ts";
export * from "./users.ts";
