/**
 * How the load names its rows: a version-4-shaped UUID (so zod's z.uuid() accepts it in paths and
 * cursors) from the md5 of a text naming the row's origin, as SQL. A number always gives the same
 * row on every database.
 */
const loadUuid = (name: string) =>
  `overlay(overlay(md5('medical-load:' || ${name}) placing '4' from 13) placing '8' from 17)::uuid`;

/** The id of a row of `kind` from the row number (or another SQL value `key`). */
export const uuidOf = (kind: string, key = "g") => loadUuid(`'${kind}:' || ${key}`);

/** The id of grid row (kind, g)'s appointment (load.ts), over the grid's columns `s.kind` and `s.g`. */
export const APPOINTMENT_ID = loadUuid("s.kind || ':' || s.g");
