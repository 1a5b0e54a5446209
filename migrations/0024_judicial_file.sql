ALTER TABLE `alerts` ADD `pv_number` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `magistrate_ref` text;--> statement-breakpoint
ALTER TABLE `alerts` ADD `file_closed_to` text DEFAULT '[]' NOT NULL;