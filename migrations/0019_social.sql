CREATE TABLE `social_accounts` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`network` text NOT NULL,
	`name` text NOT NULL,
	`lang` text NOT NULL,
	`regions` text NOT NULL,
	`exercise` integer NOT NULL,
	`target` text NOT NULL,
	`credentials` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`disabled_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `social_accounts_id_unique` ON `social_accounts` (`id`);--> statement-breakpoint
CREATE INDEX `social_accounts_network` ON `social_accounts` (`network`,`seq`);--> statement-breakpoint
CREATE TABLE `social_posts` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`network` text NOT NULL,
	`alert_id` text NOT NULL,
	`version` integer NOT NULL,
	`kind` text NOT NULL,
	`post_id` text NOT NULL,
	`url` text,
	`state` text NOT NULL,
	`last_error` text,
	`created_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE INDEX `social_posts_alert` ON `social_posts` (`alert_id`,`account_id`);