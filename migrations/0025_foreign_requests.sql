CREATE TABLE `foreign_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`organisation` text NOT NULL,
	`country` text NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` text NOT NULL,
	`granted_by` text,
	`granted_at` text
);
--> statement-breakpoint
CREATE INDEX `foreign_requests_alert` ON `foreign_requests` (`alert_id`);