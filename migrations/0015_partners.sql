CREATE TABLE `partners` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`domains` text NOT NULL,
	`country` text NOT NULL,
	`languages` text NOT NULL,
	`lang` text NOT NULL,
	`regions` text NOT NULL,
	`exercise` integer NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`webhook_url` text,
	`webhook_secret` text,
	`webhook_failures` integer DEFAULT 0 NOT NULL,
	`webhook_disabled_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_id_unique` ON `partners` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `partners_key_hash_unique` ON `partners` (`key_hash`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`partner_id` text NOT NULL,
	`alert_id` text NOT NULL,
	`type` text NOT NULL,
	`version` integer NOT NULL,
	`outcome` text NOT NULL,
	`status` integer,
	`detail` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_partner` ON `webhook_deliveries` (`partner_id`,`at`);