CREATE TABLE `peer_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`peer_id` text NOT NULL,
	`identifier` text NOT NULL,
	`msg_type` text NOT NULL,
	`sent` text NOT NULL,
	`received_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `peer_messages_one` ON `peer_messages` (`peer_id`,`identifier`);--> statement-breakpoint
CREATE TABLE `peer_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`peer_id` text NOT NULL,
	`first_identifier` text NOT NULL,
	`cap_status` text NOT NULL,
	`msg_type` text NOT NULL,
	`sent` text NOT NULL,
	`infos` text,
	`state` text NOT NULL,
	`alert_id` text,
	`handled_by` text,
	`handled_at` text,
	`reason` text,
	`cancelled_at` text,
	`received_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `peer_requests_updated` ON `peer_requests` (`updated_at`);--> statement-breakpoint
ALTER TABLE `peers` ADD `public_key` text;