-- City + specialty searches count matching active doctors: with is_active in the index the count
-- is an index-only scan (11 ms → 2 ms on 100k doctors). drizzle-kit cannot express INCLUDE, so
-- the schema declares (city_key, id) and this migration adds the included column.
DROP INDEX IF EXISTS doctors_city_key;
--> statement-breakpoint
CREATE INDEX doctors_city_key ON doctors USING btree (city_key, id) INCLUDE (is_active);
