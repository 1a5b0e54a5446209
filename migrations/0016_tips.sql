CREATE TABLE `tips` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`source` text NOT NULL,
	`client_ref` text,
	`received_at` text NOT NULL,
	`urgent` integer DEFAULT false NOT NULL,
	`text` text,
	`seen_where` text,
	`seen_at` text,
	`anonymous` integer NOT NULL,
	`contact_name` text,
	`contact_phone` text,
	`contact_email` text,
	`recording` text,
	`assessment` text,
	`photo_key` text,
	`call_sid` text,
	`taken_by` text,
	`forwarded_at` text,
	`acked_at` text,
	`acked_by` text,
	`useful` integer,
	`useful_at` text,
	`escalation` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tips_alert` ON `tips` (`alert_id`,`received_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `tips_client_ref` ON `tips` (`alert_id`,`client_ref`);