// Channel health checks (issue 27): the latest result per check, and the incidents a red
// check opens (their notices carry the incident's id).
import { and, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { healthChecks } from "./schema.ts";

export type HealthRow = typeof healthChecks.$inferSelect;

export const allHealth = (db: Db): Promise<HealthRow[]> => db.select().from(healthChecks).orderBy(healthChecks.channel, healthChecks.label).all();

export const healthOf = (db: Db, channel: string, target: string): Promise<HealthRow | undefined> =>
  db.select().from(healthChecks).where(and(eq(healthChecks.channel, channel), eq(healthChecks.target, target))).get();

/** The check an incident (a health notice's id) is about. */
export const healthByIncident = (db: Db, incidentId: string): Promise<HealthRow | undefined> =>
  db.select().from(healthChecks).where(eq(healthChecks.incidentId, incidentId)).get();

export const putHealth = (db: Db, row: HealthRow) =>
  db
    .insert(healthChecks)
    .values(row)
    .onConflictDoUpdate({
      target: [healthChecks.channel, healthChecks.target],
      set: { label: row.label, status: row.status, detail: row.detail, checkedAt: row.checkedAt, since: row.since, incidentId: row.incidentId, incidentDetail: row.incidentDetail },
    });

/** Forget the checks of targets that no longer exist (an account or partner removed). */
export const dropHealth = (db: Db, channel: string, target: string) =>
  db.delete(healthChecks).where(and(eq(healthChecks.channel, channel), eq(healthChecks.target, target)));
