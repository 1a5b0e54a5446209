// The broadcast outbox (see schema `broadcasts`): written with the command's commit,
// read by the alert's Durable Object until every intent is planned.
import { and, asc, eq, isNull, lt } from "drizzle-orm";
import type { Db, Stmt } from "./client.ts";
import { broadcasts } from "./schema.ts";

export type BroadcastIntent = typeof broadcasts.$inferSelect;

/** The statement that records an intent; it goes into the command's own batch. */
export const recordIntent = (db: Db, intent: BroadcastIntent): Stmt => db.insert(broadcasts).values(intent);

export const unplannedIntents = (db: Db, alertId: string) =>
  db.select().from(broadcasts).where(and(eq(broadcasts.alertId, alertId), isNull(broadcasts.plannedAt))).orderBy(asc(broadcasts.createdAt));

export const markPlanned = (db: Db, id: string, now: Date) =>
  db.update(broadcasts).set({ plannedAt: now.toISOString() }).where(eq(broadcasts.id, id));

/** Alerts with an intent still unplanned since before `before` (the cron's safety net). */
export async function alertsWithUnplanned(db: Db, before: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ alertId: broadcasts.alertId })
    .from(broadcasts)
    .where(and(isNull(broadcasts.plannedAt), lt(broadcasts.createdAt, before.toISOString())));
  return rows.map((r) => r.alertId);
}
