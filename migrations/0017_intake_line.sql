CREATE TABLE `intake_line` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`routing_number` text NOT NULL,
	`fallback_number` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` text NOT NULL
);
