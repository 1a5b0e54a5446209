CREATE INDEX `email_subscribers_exercise` ON `email_subscribers` (`seq`) WHERE status = 'active' AND exercise = 1;--> statement-breakpoint
CREATE INDEX `email_subscribers_notices` ON `email_subscribers` (`seq`) WHERE status = 'active' AND notices = 1;--> statement-breakpoint
CREATE INDEX `subscriptions_exercise` ON `subscriptions` (`seq`) WHERE exercise = 1;--> statement-breakpoint
CREATE INDEX `subscriptions_notices` ON `subscriptions` (`seq`) WHERE notices = 1;