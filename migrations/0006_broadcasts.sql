CREATE TABLE `broadcasts` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`event` text NOT NULL,
	`version_id` text NOT NULL,
	`version` integer NOT NULL,
	`stop_reason` text,
	`created_at` text NOT NULL,
	`planned_at` text
);
--> statement-breakpoint
CREATE INDEX `broadcasts_alert` ON `broadcasts` (`alert_id`);--> statement-breakpoint
CREATE INDEX `broadcasts_unplanned` ON `broadcasts` (`planned_at`);