ALTER TABLE `photos` ADD `width` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `photos` ADD `height` integer DEFAULT 0 NOT NULL;