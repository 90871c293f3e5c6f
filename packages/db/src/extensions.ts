import type { Extensions } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { citext } from "@electric-sql/pglite/contrib/citext";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";

/**
 * The extensions every PGlite instance loads: the server's, the migration template's and
 * each test copy's. PostgreSQL ships the same ones as contrib; migrations CREATE them.
 */
export const pgliteExtensions = { btree_gist, citext, pg_trgm, unaccent } satisfies Extensions;
