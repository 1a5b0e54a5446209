// Retention sweeps run by the cron (rule 14): photos that no version of their alert
// refers to, and push subscriptions that keep failing or were idle for a year. The purge
// of an alert itself runs in the alert's Durable Object (a timer, the cron's safety net).
import { and, asc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { alertVersions, photos, subscriptions } from "../db/schema.ts";
import { ORPHAN_PHOTO_GRACE_MS, SUBSCRIPTION_IDLE_MS, SUBSCRIPTION_MAX_FAILURES } from "../domain/index.ts";
import { log } from "../log.ts";

/** Rows looked at per run: the cron runs every 5 minutes, a backlog drains over a few runs. */
const SWEEP_BATCH = 200;

/** Deletes (R2 and D1) photos older than the grace period that no version of their alert uses. */
export async function sweepOrphanPhotos(db: Db, media: R2Bucket, now: Date): Promise<number> {
  const old = await db
    .select({ alertId: photos.alertId, hash: photos.hash, key: photos.r2Key })
    .from(photos)
    .where(lt(photos.createdAt, new Date(now.getTime() - ORPHAN_PHOTO_GRACE_MS).toISOString()))
    .orderBy(asc(photos.createdAt))
    .limit(SWEEP_BATCH);
  const orphans: string[] = [];
  for (const alertId of new Set(old.map((p) => p.alertId))) {
    const versions = await db.select({ content: alertVersions.content }).from(alertVersions).where(eq(alertVersions.alertId, alertId));
    const used = new Set(versions.flatMap((v) => (v.content ? ((JSON.parse(v.content) as { child?: { photos?: string[] } }).child?.photos ?? []) : [])));
    orphans.push(...old.filter((p) => p.alertId === alertId && !used.has(p.hash)).map((p) => p.key));
  }
  for (let i = 0; i < orphans.length; i += 90) {
    const chunk = orphans.slice(i, i + 90);
    await media.delete(chunk); // R2 first: a crash leaves a row that the next run deletes again
    await db.delete(photos).where(inArray(photos.r2Key, chunk));
  }
  if (orphans.length) log.info("orphan_photos_deleted", { count: orphans.length });
  return orphans.length;
}

/** Removes subscriptions that failed too often in a row, or had no delivery (nor creation) for a year. */
export async function pruneSubscriptions(db: Db, now: Date): Promise<number> {
  const idleSince = new Date(now.getTime() - SUBSCRIPTION_IDLE_MS).toISOString();
  const stale = db
    .select({ seq: subscriptions.seq })
    .from(subscriptions)
    .where(or(sql`${subscriptions.failureCount} >= ${SUBSCRIPTION_MAX_FAILURES}`, lt(sql`coalesce(${subscriptions.lastSuccessAt}, ${subscriptions.createdAt})`, idleSince)))
    .limit(1000);
  const res = await db.delete(subscriptions).where(and(inArray(subscriptions.seq, stale)));
  const removed = (res as unknown as { meta?: { changes?: number } }).meta?.changes ?? 0;
  if (removed) log.info("subscriptions_pruned", { count: removed });
  return removed;
}
