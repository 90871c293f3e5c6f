CREATE TABLE "medical_record_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"record_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content" text NOT NULL,
	"follow_up_date" date,
	"appointment_id" uuid,
	"edited_by" uuid NOT NULL,
	"edited_by_role" varchar(20) NOT NULL,
	"edited_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "medical_record_versions_version" CHECK ("medical_record_versions"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "medical_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" varchar(20) NOT NULL,
	"doctor_id" uuid,
	"appointment_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"content" text NOT NULL,
	"follow_up_date" date,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	"deleted_by" uuid,
	"deleted_by_role" varchar(20),
	"deletion_reason" text,
	CONSTRAINT "medical_records_kind" CHECK ("medical_records"."kind" in ('CLINICAL', 'PATIENT_REPORTED')),
	CONSTRAINT "medical_records_author" CHECK (("medical_records"."kind" = 'CLINICAL') = ("medical_records"."doctor_id" is not null) and ("medical_records"."appointment_id" is null or "medical_records"."kind" = 'CLINICAL')),
	CONSTRAINT "medical_records_version" CHECK ("medical_records"."version" >= 1),
	CONSTRAINT "medical_records_deletion" CHECK (("medical_records"."deleted_at" is null) = ("medical_records"."deleted_by" is null and "medical_records"."deleted_by_role" is null and "medical_records"."deletion_reason" is null))
);
--> statement-breakpoint
ALTER TABLE "medical_record_versions" ADD CONSTRAINT "medical_record_versions_record_id_medical_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."medical_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "medical_record_versions" ADD CONSTRAINT "medical_record_versions_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "medical_record_versions" ADD CONSTRAINT "medical_record_versions_edited_by_users_id_fk" FOREIGN KEY ("edited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "medical_records" ADD CONSTRAINT "medical_records_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "medical_records" ADD CONSTRAINT "medical_records_doctor_id_doctors_id_fk" FOREIGN KEY ("doctor_id") REFERENCES "public"."doctors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "medical_records" ADD CONSTRAINT "medical_records_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "medical_records" ADD CONSTRAINT "medical_records_deleted_by_users_id_fk" FOREIGN KEY ("deleted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "medical_record_versions_record_version" ON "medical_record_versions" USING btree ("record_id","version");--> statement-breakpoint
CREATE INDEX "medical_records_patient_created" ON "medical_records" USING btree ("patient_id","created_at","id");--> statement-breakpoint
CREATE INDEX "medical_records_patient_updated" ON "medical_records" USING btree ("patient_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "medical_records_doctor_created" ON "medical_records" USING btree ("doctor_id","created_at","id");--> statement-breakpoint
CREATE INDEX "medical_records_doctor_updated" ON "medical_records" USING btree ("doctor_id","updated_at","id");--> statement-breakpoint
-- Hand-written (drizzle-kit cannot express triggers). Clinical data is never lost: a record is
-- deleted by marking it (deleted_at, deleted_by, deletion_reason), never by DELETE or TRUNCATE.
CREATE OR REPLACE FUNCTION medical_records_never_deleted() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is never deleted: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER medical_records_no_delete
  BEFORE DELETE ON medical_records
  FOR EACH ROW EXECUTE FUNCTION medical_records_never_deleted();
--> statement-breakpoint
CREATE TRIGGER medical_records_no_truncate
  BEFORE TRUNCATE ON medical_records
  FOR EACH STATEMENT EXECUTE FUNCTION medical_records_never_deleted();
--> statement-breakpoint
CREATE TRIGGER medical_record_versions_no_delete
  BEFORE DELETE ON medical_record_versions
  FOR EACH ROW EXECUTE FUNCTION medical_records_never_deleted();
--> statement-breakpoint
CREATE TRIGGER medical_record_versions_no_truncate
  BEFORE TRUNCATE ON medical_record_versions
  FOR EACH STATEMENT EXECUTE FUNCTION medical_records_never_deleted();
--> statement-breakpoint
-- A version is what was written then: only its ciphertext may change (pnpm keys:rotate re-encrypts
-- it under a new key, the plaintext the same).
CREATE OR REPLACE FUNCTION medical_record_versions_as_written() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - 'content') IS DISTINCT FROM (to_jsonb(OLD) - 'content') THEN
    RAISE EXCEPTION 'medical_record_versions keeps each version as written: only content may be re-encrypted'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER medical_record_versions_only_reencrypted
  BEFORE UPDATE ON medical_record_versions
  FOR EACH ROW EXECUTE FUNCTION medical_record_versions_as_written();
