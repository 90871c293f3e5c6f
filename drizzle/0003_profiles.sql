CREATE TABLE "doctor_specialties" (
	"doctor_id" uuid NOT NULL,
	"specialty_id" uuid NOT NULL,
	CONSTRAINT "doctor_specialties_doctor_id_specialty_id_pk" PRIMARY KEY("doctor_id","specialty_id")
);
--> statement-breakpoint
CREATE TABLE "doctors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"bio" varchar(2000),
	"years_of_experience" smallint DEFAULT 0 NOT NULL,
	"clinic_name" varchar(200),
	"clinic_address" varchar(300),
	"city" varchar(100) NOT NULL,
	"country" char(2) DEFAULT 'DZ' NOT NULL,
	"fee_amount_minor" integer NOT NULL,
	"fee_currency" char(3) DEFAULT 'DZD' NOT NULL,
	"languages" varchar(35)[] DEFAULT '{}'::varchar[] NOT NULL,
	"timezone" varchar(64) DEFAULT 'Africa/Algiers' NOT NULL,
	"appointment_minutes" smallint DEFAULT 30 NOT NULL,
	"clinic_phone" varchar(16),
	"rating_average" numeric(3, 2) DEFAULT 0 NOT NULL,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"search_key" text DEFAULT '' NOT NULL,
	"name_key" text DEFAULT '' NOT NULL,
	"city_key" text GENERATED ALWAYS AS (f_search_key("doctors"."city")) STORED,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "doctors_userId_unique" UNIQUE("user_id"),
	CONSTRAINT "doctors_fee_non_negative" CHECK ("doctors"."fee_amount_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "favorites" (
	"patient_id" uuid NOT NULL,
	"doctor_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "favorites_patient_id_doctor_id_pk" PRIMARY KEY("patient_id","doctor_id")
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"doctor_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"rating" smallint NOT NULL,
	"comment" varchar(2000),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"hidden_at" timestamp with time zone,
	"hidden_reason" varchar(500),
	"hidden_by" uuid,
	CONSTRAINT "reviews_rating_range" CHECK ("reviews"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "specialties" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(100) NOT NULL,
	"description" varchar(500),
	"name_key" text GENERATED ALWAYS AS (f_search_key("specialties"."name")) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"date_of_birth" date NOT NULL,
	"sex" varchar(10) DEFAULT 'UNKNOWN' NOT NULL,
	"address_line" varchar(200),
	"city" varchar(100),
	"country" char(2) DEFAULT 'DZ' NOT NULL,
	"emergency_contact_name" varchar(200),
	"emergency_contact_relation" varchar(50),
	"emergency_contact_phone" varchar(16),
	"clinical_data" text,
	"show_name_on_reviews" boolean DEFAULT false NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "patients_userId_unique" UNIQUE("user_id")
);
--> statement-breakpoint
ALTER TABLE "doctor_specialties" ADD CONSTRAINT "doctor_specialties_doctor_id_doctors_id_fk" FOREIGN KEY ("doctor_id") REFERENCES "public"."doctors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doctor_specialties" ADD CONSTRAINT "doctor_specialties_specialty_id_specialties_id_fk" FOREIGN KEY ("specialty_id") REFERENCES "public"."specialties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "doctors" ADD CONSTRAINT "doctors_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_doctor_id_doctors_id_fk" FOREIGN KEY ("doctor_id") REFERENCES "public"."doctors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_doctor_id_doctors_id_fk" FOREIGN KEY ("doctor_id") REFERENCES "public"."doctors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_hidden_by_users_id_fk" FOREIGN KEY ("hidden_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "doctor_specialties_specialty" ON "doctor_specialties" USING btree ("specialty_id","doctor_id");--> statement-breakpoint
CREATE INDEX "doctors_search_key_trgm" ON "doctors" USING gin ("search_key" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "doctors_city_key" ON "doctors" USING btree ("city_key","id");--> statement-breakpoint
CREATE INDEX "doctors_rating" ON "doctors" USING btree ("rating_average","id");--> statement-breakpoint
CREATE INDEX "doctors_name" ON "doctors" USING btree ("name_key","id");--> statement-breakpoint
CREATE INDEX "doctors_experience" ON "doctors" USING btree ("years_of_experience","id");--> statement-breakpoint
CREATE INDEX "doctors_fee" ON "doctors" USING btree ("fee_amount_minor","id");--> statement-breakpoint
CREATE INDEX "favorites_patient_time" ON "favorites" USING btree ("patient_id","created_at","doctor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reviews_doctor_patient" ON "reviews" USING btree ("doctor_id","patient_id");--> statement-breakpoint
CREATE INDEX "reviews_doctor_time" ON "reviews" USING btree ("doctor_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reviews_time" ON "reviews" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "specialties_name_key" ON "specialties" USING btree ("name_key");--> statement-breakpoint
CREATE INDEX "specialties_name_key_trgm" ON "specialties" USING gin ("name_key" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "patients_created_id" ON "patients" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "patients_active" ON "patients" USING btree ("is_active") WHERE "patients"."is_active";