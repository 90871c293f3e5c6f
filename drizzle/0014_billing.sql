CREATE TABLE "billing_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"appointment_id" uuid,
	"amount_minor" integer NOT NULL,
	"currency" char(3) DEFAULT 'DZD' NOT NULL,
	"description" text NOT NULL,
	"status" varchar(8) DEFAULT 'UNPAID' NOT NULL,
	"issue_date" date NOT NULL,
	"due_date" date,
	"paid_date" date,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_entries_amount" CHECK ("billing_entries"."amount_minor" > 0),
	CONSTRAINT "billing_entries_currency" CHECK ("billing_entries"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "billing_entries_status" CHECK ("billing_entries"."status" in ('UNPAID', 'PAID', 'VOID')),
	CONSTRAINT "billing_entries_paid" CHECK (("billing_entries"."status" = 'PAID') = ("billing_entries"."paid_date" is not null)),
	CONSTRAINT "billing_entries_due" CHECK ("billing_entries"."due_date" >= "billing_entries"."issue_date")
);
--> statement-breakpoint
CREATE TABLE "insurance_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"policy_id" uuid NOT NULL,
	"billing_entry_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"amount_minor" integer NOT NULL,
	"status" varchar(10) DEFAULT 'SUBMITTED' NOT NULL,
	"reason" text,
	"submitted_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp (3) with time zone,
	"paid_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "insurance_claims_amount" CHECK ("insurance_claims"."amount_minor" > 0),
	CONSTRAINT "insurance_claims_status" CHECK ("insurance_claims"."status" in ('SUBMITTED', 'APPROVED', 'REJECTED', 'PAID')),
	CONSTRAINT "insurance_claims_decided" CHECK (("insurance_claims"."status" = 'SUBMITTED') = ("insurance_claims"."decided_at" is null)),
	CONSTRAINT "insurance_claims_paid" CHECK (("insurance_claims"."status" = 'PAID') = ("insurance_claims"."paid_at" is not null)),
	CONSTRAINT "insurance_claims_rejected" CHECK ("insurance_claims"."status" <> 'REJECTED' or "insurance_claims"."reason" is not null)
);
--> statement-breakpoint
CREATE TABLE "insurance_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"provider" varchar(200) NOT NULL,
	"policy_number" text NOT NULL,
	"coverage_percent" smallint NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "insurance_policies_coverage" CHECK ("insurance_policies"."coverage_percent" between 0 and 100),
	CONSTRAINT "insurance_policies_validity" CHECK ("insurance_policies"."valid_to" >= "insurance_policies"."valid_from")
);
--> statement-breakpoint
ALTER TABLE "billing_entries" ADD CONSTRAINT "billing_entries_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_entries" ADD CONSTRAINT "billing_entries_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_entries" ADD CONSTRAINT "billing_entries_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurance_claims" ADD CONSTRAINT "insurance_claims_policy_id_insurance_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."insurance_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurance_claims" ADD CONSTRAINT "insurance_claims_billing_entry_id_billing_entries_id_fk" FOREIGN KEY ("billing_entry_id") REFERENCES "public"."billing_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurance_claims" ADD CONSTRAINT "insurance_claims_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurance_claims" ADD CONSTRAINT "insurance_claims_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurance_policies" ADD CONSTRAINT "insurance_policies_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insurance_policies" ADD CONSTRAINT "insurance_policies_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billing_entries_patient_created" ON "billing_entries" USING btree ("patient_id","created_at","id");--> statement-breakpoint
CREATE INDEX "billing_entries_created" ON "billing_entries" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "billing_entries_appointment" ON "billing_entries" USING btree ("appointment_id");--> statement-breakpoint
CREATE INDEX "insurance_claims_entry" ON "insurance_claims" USING btree ("billing_entry_id","status");--> statement-breakpoint
CREATE INDEX "insurance_claims_policy_created" ON "insurance_claims" USING btree ("policy_id","created_at","id");--> statement-breakpoint
CREATE INDEX "insurance_policies_patient_created" ON "insurance_policies" USING btree ("patient_id","created_at","id");