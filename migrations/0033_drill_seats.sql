ALTER TABLE `invitations` ADD `drill_seat` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `drill_seat` integer DEFAULT false NOT NULL;