CREATE TABLE `drill_scorecards` (
	`alert_id` text PRIMARY KEY NOT NULL,
	`started_at` text NOT NULL,
	`card` text NOT NULL,
	`kept_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `drill_targets` (
	`key` text PRIMARY KEY NOT NULL,
	`ms` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` text NOT NULL
);
