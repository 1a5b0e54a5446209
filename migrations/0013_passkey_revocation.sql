ALTER TABLE `credentials` ADD `name` text;--> statement-breakpoint
ALTER TABLE `credentials` ADD `revoked_at` text;--> statement-breakpoint
ALTER TABLE `credentials` ADD `revoked_by` text;--> statement-breakpoint
ALTER TABLE `invitations` ADD `revoked_at` text;--> statement-breakpoint
ALTER TABLE `invitations` ADD `needs_approval` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `invitations` ADD `approved_by` text;