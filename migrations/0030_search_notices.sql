ALTER TABLE `alerts` ADD `kind` text DEFAULT 'child_alert' NOT NULL;--> statement-breakpoint
ALTER TABLE `alerts` ADD `initiative` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `origin_alert_id` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `social_requested_at` text;--> statement-breakpoint
ALTER TABLE `partners` ADD `kinds` text DEFAULT 'child_alert' NOT NULL;