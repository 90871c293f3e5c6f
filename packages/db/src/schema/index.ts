// One file per domain (users, patients, doctors, …) is re-exported here as domains land.
// The platform itself needs only the extensions and functions of drizzle/0000_platform.sql.
export {};
