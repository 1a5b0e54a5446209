CREATE TABLE `health_checks` (
	`channel` text NOT NULL,
	`target` text NOT NULL,
	`label` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`checked_at` text NOT NULL,
	`since` text NOT NULL,
	`incident_id` text,
	`incident_detail` text,
	PRIMARY KEY(`channel`, `target`)
);
