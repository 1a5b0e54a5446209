CREATE TABLE `posters` (
	`r2_key` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`version_id` text NOT NULL,
	`inputs_hash` text NOT NULL,
	`format` text NOT NULL,
	`lang` text NOT NULL,
	`with_accompanying` integer NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `posters_version` ON `posters` (`version_id`);