ALTER TABLE "items" ALTER COLUMN "id" SET CYCLE;--> statement-breakpoint
ALTER TABLE "stores" ALTER COLUMN "id" SET CYCLE;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "previous_refresh_jti" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "rotated_at" timestamp (3) with time zone;