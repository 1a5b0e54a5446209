// Per-channel figures read by the readiness screen and the OpenMetrics endpoint (issue 27):
// dead letters, the broadcasts' outcomes in the audit trail, the alerts live now. One
// place for these queries; no child data in any of them.
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";

/**
 * Jobs in the dead-letter queue per channel (jobs of no channel under "none"), since `since`
 * (all of them without); `pagesOnly`: the channels' page jobs alone.
 */
export async function deadLettersByChannel(db: Db, o: { since?: Date; pagesOnly?: boolean } = {}): Promise<Map<string, number>> {
  const rows = await db.all<{ channel: string | null; n: number }>(sql`
    SELECT json_extract(job, '$.channel') AS channel, count(*) AS n FROM dead_letters
    WHERE 1 = 1 ${o.pagesOnly ? sql`AND job_type = 'page'` : sql``} ${o.since ? sql`AND created_at >= ${o.since.toISOString()}` : sql``} GROUP BY 1`);
  return new Map(rows.map((r) => [r.channel ?? "none", r.n]));
}

/** When each channel last finished a broadcast that delivered something (the audit trail's outcomes). */
export async function lastDeliveryByChannel(db: Db): Promise<Map<string, string>> {
  const rows = await db.all<{ channel: string; at: string }>(sql`
    SELECT json_extract(details, '$.channel') AS channel, max(at) AS at FROM audit_entries
    WHERE action = 'broadcast_completed' AND json_extract(details, '$.sent') > 0 GROUP BY 1`);
  return new Map(rows.map((r) => [r.channel, r.at]));
}

/** Every finished broadcast's outcome per channel, summed (the audit trail is append-only: these only grow). */
export const finishedOutcomes = (db: Db) =>
  db.all<{ channel: string; sent: number; failed: number; removed: number }>(sql`
    SELECT json_extract(details, '$.channel') AS channel, sum(json_extract(details, '$.sent')) AS sent,
           sum(json_extract(details, '$.failed')) AS failed, sum(json_extract(details, '$.removed')) AS removed
    FROM audit_entries WHERE action = 'broadcast_completed' GROUP BY 1`);

/** The broadcasts of live alerts already in the audit trail ("fanoutId|channel"). */
export async function auditedLiveBroadcasts(db: Db): Promise<Set<string>> {
  const rows = await db.all<{ key: string }>(sql`
    SELECT json_extract(details, '$.broadcastId') || '|' || json_extract(details, '$.channel') AS key FROM audit_entries
    WHERE action = 'broadcast_completed' AND alert_id IN (SELECT id FROM alerts WHERE state = 'live')`);
  return new Set(rows.map((r) => r.key));
}

/** The alerts live now (a handful). */
export const liveAlerts = (db: Db) => db.all<{ id: string; exercise: number }>(sql`SELECT id, exercise FROM alerts WHERE state = 'live'`);
