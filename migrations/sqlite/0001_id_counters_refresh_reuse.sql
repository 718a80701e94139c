CREATE TABLE `id_counters` (
	`name` text PRIMARY KEY NOT NULL,
	`last_id` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `previous_refresh_jti` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `rotated_at` integer;