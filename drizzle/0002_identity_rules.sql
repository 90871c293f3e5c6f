-- The four roles exist as rows after migration; users.role references them.
INSERT INTO roles (name, description) VALUES
  ('ADMIN', 'Administers the clinic: accounts, roles, audit, every record'),
  ('DOCTOR', 'Treats patients: own profile and the patients in their care'),
  ('PATIENT', 'Own profile, appointments, records and billing'),
  ('STAFF', 'Front desk: patients'' demographics and contact, billing')
ON CONFLICT (name) DO NOTHING;
--> statement-breakpoint
-- The audit trail is append-only in the database itself, whatever the application does.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
