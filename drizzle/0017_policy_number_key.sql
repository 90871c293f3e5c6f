ALTER TABLE "insurance_policies" ADD COLUMN "number_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "insurance_policies_number_key" ON "insurance_policies" USING btree ("number_key") WHERE "insurance_policies"."is_active";--> statement-breakpoint
CREATE INDEX "insurance_policies_number" ON "insurance_policies" USING btree ("number_key");