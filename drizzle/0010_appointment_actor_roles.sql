-- An appointment's history and cancellation name who acted with their role at the time, as the
-- DTO shows them ({ userId, role }): a user's role can change later, so it is stored, not joined.
-- appointment_changes is empty until booking ships, so the NOT NULL column needs no default.
ALTER TABLE "appointments" DROP CONSTRAINT "appointments_cancellation";--> statement-breakpoint
ALTER TABLE "appointment_changes" ADD COLUMN "changed_by_role" varchar(20) NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_cancellation" CHECK (("appointments"."status" = 'CANCELLED') = ("appointments"."cancelled_at" is not null and "appointments"."cancelled_by" is not null and "appointments"."cancelled_by_role" is not null));