CREATE TABLE `email_subscribers` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`address` text NOT NULL,
	`lang` text NOT NULL,
	`regions` text NOT NULL,
	`exercise` integer NOT NULL,
	`status` text NOT NULL,
	`pending` text,
	`confirm_hash` text,
	`confirm_expires_at` text,
	`confirm_sent_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`confirmed_at` text,
	`last_success_at` text,
	`failure_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_subscribers_id_unique` ON `email_subscribers` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `email_subscribers_address_unique` ON `email_subscribers` (`address`);--> statement-breakpoint
CREATE INDEX `email_subscribers_status` ON `email_subscribers` (`status`,`seq`);