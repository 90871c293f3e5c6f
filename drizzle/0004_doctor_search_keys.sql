-- Doctors are searched by their names (on users) and clinic name, and sorted by name. A generated
-- column cannot read another table, so triggers keep both keys right in the same transaction as
-- any change of a name or a clinic, whichever code path makes it.
CREATE OR REPLACE FUNCTION doctors_refresh_keys() RETURNS trigger
  LANGUAGE plpgsql AS $$
DECLARE
  person record;
BEGIN
  SELECT first_name, last_name INTO person FROM users WHERE id = NEW.user_id;
  NEW.search_key := f_search_key(concat_ws(' ', person.first_name, person.last_name, NEW.clinic_name));
  NEW.name_key := f_search_key(concat_ws(' ', person.last_name, person.first_name));
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER doctors_keys_on_write
  BEFORE INSERT OR UPDATE OF user_id, clinic_name ON doctors
  FOR EACH ROW EXECUTE FUNCTION doctors_refresh_keys();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION users_refresh_doctor_keys() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  -- Touching clinic_name fires doctors_keys_on_write, which reads the new names.
  UPDATE doctors SET clinic_name = clinic_name WHERE user_id = NEW.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER users_names_to_doctor_keys
  AFTER UPDATE OF first_name, last_name ON users
  FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name)
  EXECUTE FUNCTION users_refresh_doctor_keys();
