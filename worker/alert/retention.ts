// Retention sweeps run by the cron (rule 14): photos that no version of their alert
// refers to, and push subscriptions that keep failing or were idle for a year. The purge
// of an alert itself runs in the alert's Durable Object (a timer, the cron's safety net).
import { deletePhotoRows, photoHashesInUse, photosStoredBefore } from "../db/alerts.ts";
import type { Db } from "../db/client.ts";
import { deleteStaleSubscriptions } from "../db/subscriptions.ts";
import { deleteDeadEmailAddresses } from "../db/email.ts";
import { ORPHAN_PHOTO_GRACE_MS, SUBSCRIPTION_IDLE_MS, SUBSCRIPTION_MAX_FAILURES } from "../domain/index.ts";
import { log } from "../log.ts";

/** Rows looked at per run: the cron runs every 5 minutes, a backlog drains over a few runs. */
const SWEEP_BATCH = 200;

/** Deletes (R2 and D1) photos older than the grace period that no version of their alert uses. */
export async function sweepOrphanPhotos(db: Db, media: R2Bucket, now: Date): Promise<number> {
  const old = await photosStoredBefore(db, new Date(now.getTime() - ORPHAN_PHOTO_GRACE_MS), SWEEP_BATCH);
  const orphans: string[] = [];
  for (const alertId of new Set(old.map((p) => p.alertId))) {
    const used = await photoHashesInUse(db, alertId);
    orphans.push(...old.filter((p) => p.alertId === alertId && !used.has(p.hash)).map((p) => p.key));
  }
  for (let i = 0; i < orphans.length; i += 90) {
    const chunk = orphans.slice(i, i + 90);
    await media.delete(chunk); // R2 first: a crash leaves a row that the next run deletes again
    await deletePhotoRows(db, chunk);
  }
  if (orphans.length) log.info("orphan_photos_deleted", { count: orphans.length });
  return orphans.length;
}

/** Removes subscriptions that failed too often in a row, or had no delivery (nor creation) for a year. */
export async function pruneSubscriptions(db: Db, now: Date): Promise<number> {
  const removed = await deleteStaleSubscriptions(db, { maxFailures: SUBSCRIPTION_MAX_FAILURES, idleSince: new Date(now.getTime() - SUBSCRIPTION_IDLE_MS), limit: 1000 });
  if (removed) log.info("subscriptions_pruned", { count: removed });
  return removed;
}

/** A subscription request never confirmed is forgotten this long after it was made (its link lived 24 h). */
export const UNCONFIRMED_EMAIL_MS = 7 * 24 * 3600_000;

/** Deletes the e-mail addresses that no longer receive alerts (unsubscribed, bounced, never confirmed). */
export async function pruneEmailAddresses(db: Db, now: Date): Promise<number> {
  const removed = await deleteDeadEmailAddresses(db, new Date(now.getTime() - UNCONFIRMED_EMAIL_MS), 1000);
  if (removed) log.info("email_addresses_deleted", { count: removed });
  return removed;
}
