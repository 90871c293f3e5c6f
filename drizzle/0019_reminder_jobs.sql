CREATE TABLE "reminder_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"appointment_id" uuid NOT NULL,
	"offset_minutes" integer NOT NULL,
	"starts_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"status" varchar(10) DEFAULT 'PENDING' NOT NULL,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"locked_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reminder_jobs_status" CHECK ("reminder_jobs"."status" in ('PENDING', 'DONE', 'CANCELLED')),
	CONSTRAINT "reminder_jobs_offset" CHECK ("reminder_jobs"."offset_minutes" > 0)
);
--> statement-breakpoint
ALTER TABLE "reminder_jobs" ADD CONSTRAINT "reminder_jobs_appointment_id_appointments_id_fk" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_jobs_once" ON "reminder_jobs" USING btree ("appointment_id","offset_minutes","starts_at");--> statement-breakpoint
CREATE INDEX "reminder_jobs_due" ON "reminder_jobs" USING btree ("due_at") WHERE "reminder_jobs"."status" = 'PENDING';