CREATE TABLE `peer_handoffs` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`peer_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `peer_handoffs_one` ON `peer_handoffs` (`alert_id`,`peer_id`);--> statement-breakpoint
CREATE TABLE `peer_receipts` (
	`id` text PRIMARY KEY NOT NULL,
	`handoff_id` text NOT NULL,
	`identifier` text NOT NULL,
	`outcome` text NOT NULL,
	`status` integer,
	`personal_data` integer NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `peer_receipts_handoff` ON `peer_receipts` (`handoff_id`,`identifier`);--> statement-breakpoint
CREATE TABLE `peers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`country` text NOT NULL,
	`cap_endpoint` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text
);
