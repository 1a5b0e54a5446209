CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`job_type` text NOT NULL,
	`alert_id` text,
	`job` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_alert` ON `dead_letters` (`alert_id`);