CREATE TABLE `account_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text,
	`requested_by` text NOT NULL,
	`requested_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`approved_by` text,
	`approved_at` text,
	`cancelled_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `account_requests_user` ON `account_requests` (`user_id`);--> statement-breakpoint
ALTER TABLE `notifications` ADD `recipient_user_id` text;