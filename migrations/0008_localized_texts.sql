-- Every free text of an alert has one value per targeted language (issue 10). A version
-- written before had one text: it becomes that same text in each of its targeted
-- languages. Idempotent (only plain-string texts are touched). The stored content hash is
-- kept: it is what the signers approved; the next save of such a version hashes the new
-- form (like a poster-template change, the signers then approve again).
UPDATE `alert_versions` SET `content` = json_set(`content`, '$.child.description', json((SELECT json_group_object(l.value, json_extract(`alert_versions`.`content`, '$.child.description')) FROM json_each(`alert_versions`.`content`, '$.targeting.languages') AS l))) WHERE `content` IS NOT NULL AND json_type(`content`, '$.child.description') = 'text';
--> statement-breakpoint
UPDATE `alert_versions` SET `content` = json_set(`content`, '$.child.clothing', json((SELECT json_group_object(l.value, json_extract(`alert_versions`.`content`, '$.child.clothing')) FROM json_each(`alert_versions`.`content`, '$.targeting.languages') AS l))) WHERE `content` IS NOT NULL AND json_type(`content`, '$.child.clothing') = 'text';
--> statement-breakpoint
UPDATE `alert_versions` SET `content` = json_set(`content`, '$.lastSeen.place', json((SELECT json_group_object(l.value, json_extract(`alert_versions`.`content`, '$.lastSeen.place')) FROM json_each(`alert_versions`.`content`, '$.targeting.languages') AS l))) WHERE `content` IS NOT NULL AND json_type(`content`, '$.lastSeen.place') = 'text';
--> statement-breakpoint
UPDATE `alert_versions` SET `content` = json_set(`content`, '$.circumstances', json((SELECT json_group_object(l.value, json_extract(`alert_versions`.`content`, '$.circumstances')) FROM json_each(`alert_versions`.`content`, '$.targeting.languages') AS l))) WHERE `content` IS NOT NULL AND json_type(`content`, '$.circumstances') = 'text';
--> statement-breakpoint
UPDATE `alert_versions` SET `content` = json_set(`content`, '$.vehicle.description', json((SELECT json_group_object(l.value, json_extract(`alert_versions`.`content`, '$.vehicle.description')) FROM json_each(`alert_versions`.`content`, '$.targeting.languages') AS l))) WHERE `content` IS NOT NULL AND json_type(`content`, '$.vehicle.description') = 'text';
--> statement-breakpoint
UPDATE `alert_versions` SET `content` = json_set(`content`, '$.accompanyingPerson.description', json((SELECT json_group_object(l.value, json_extract(`alert_versions`.`content`, '$.accompanyingPerson.description')) FROM json_each(`alert_versions`.`content`, '$.targeting.languages') AS l))) WHERE `content` IS NOT NULL AND json_type(`content`, '$.accompanyingPerson.description') = 'text';
