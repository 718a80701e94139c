CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`generation` integer NOT NULL,
	`alg` text NOT NULL,
	`public_jwk` text NOT NULL,
	`sealed_private_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer,
	`verify_until` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signing_keys_generation_unique` ON `signing_keys` (`generation`);