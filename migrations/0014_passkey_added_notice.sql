ALTER TABLE `credentials` ADD `invitation_id` text;--> statement-breakpoint
ALTER TABLE `credentials` ADD `owner_told_at` text;--> statement-breakpoint
-- The passkeys registered before this migration: nothing left to tell their owners.
UPDATE `credentials` SET `owner_told_at` = `created_at`;
