CREATE TABLE `authority_mailboxes` (
	`kind` text NOT NULL,
	`address` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`kind`, `address`)
);
--> statement-breakpoint
CREATE TABLE `notice_mails` (
	`notification_id` text NOT NULL,
	`alert_id` text NOT NULL,
	`address` text NOT NULL,
	`sent_at` text NOT NULL,
	PRIMARY KEY(`notification_id`, `address`)
);
--> statement-breakpoint
CREATE TABLE `notice_reads` (
	`notification_id` text NOT NULL,
	`user_id` text NOT NULL,
	`read_at` text NOT NULL,
	PRIMARY KEY(`notification_id`, `user_id`)
);
--> statement-breakpoint
ALTER TABLE `notifications` ADD `mailed_at` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `mail_status` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `mail_claim_until` text;--> statement-breakpoint
CREATE INDEX `notifications_unmailed` ON `notifications` (`mailed_at`);--> statement-breakpoint
-- Notices recorded before staff e-mail existed are not mailed now (they are in the inbox).
UPDATE `notifications` SET `mailed_at` = `created_at`, `mail_status` = 'before_mail' WHERE `mailed_at` IS NULL;
