-- Extensions every domain relies on (PGlite loads the same ones as contrib modules).
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS citext;
--> statement-breakpoint
-- unaccent() is only STABLE; an index over it needs an IMMUTABLE wrapper that names its dictionary.
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;
--> statement-breakpoint
-- Search keys are compared lower-cased and without accents: 'Médecine interne' = 'medecine interne'.
CREATE OR REPLACE FUNCTION f_search_key(text) RETURNS text
  AS $$ SELECT lower(public.f_unaccent($1)) $$
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT;
