// Tips in D1 (issue 14): written once when received, then forwarded, acknowledged, judged
// useful or not, escalated. Read per alert only: no query here spans cases (rule 10).
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db, Stmt } from "./client.ts";
import { tips } from "./schema.ts";

export type TipRow = typeof tips.$inferSelect;
export type NewTip = typeof tips.$inferInsert;

export const insertTip = (db: Db, tip: NewTip): Stmt => db.insert(tips).values(tip);

/** A resent web form (same client reference): the tip it already made. */
export const tipByClientRef = (db: Db, alertId: string, clientRef: string) =>
  db.select().from(tips).where(and(eq(tips.alertId, alertId), eq(tips.clientRef, clientRef))).get();

export const tipById = (db: Db, alertId: string, tipId: string) =>
  db.select().from(tips).where(and(eq(tips.alertId, alertId), eq(tips.id, tipId))).get();

/** An alert's tips, oldest first; `takenBy` narrows to one call-taker's own. */
export const tipsOf = (db: Db, alertId: string, takenBy?: string) =>
  db
    .select()
    .from(tips)
    .where(and(eq(tips.alertId, alertId), takenBy ? eq(tips.takenBy, takenBy) : undefined))
    .orderBy(asc(tips.receivedAt), asc(tips.id))
    .all();

export const markForwarded = (db: Db, tipId: string, at: Date) =>
  db.update(tips).set({ forwardedAt: at.toISOString() }).where(and(eq(tips.id, tipId), isNull(tips.forwardedAt)));

/** The first acknowledgement stands (a second one changes nothing). */
export const ackStmt = (db: Db, alertId: string, tipId: string, userId: string, at: Date): Stmt =>
  db
    .update(tips)
    .set({ ackedAt: at.toISOString(), ackedBy: userId })
    .where(and(eq(tips.alertId, alertId), eq(tips.id, tipId), isNull(tips.ackedAt)));

export const usefulStmt = (db: Db, alertId: string, tipId: string, useful: boolean, at: Date): Stmt =>
  db.update(tips).set({ useful, usefulAt: at.toISOString() }).where(and(eq(tips.alertId, alertId), eq(tips.id, tipId)));

/** Raises a tip's level only upwards (an escalation retried, or racing an acknowledgement, changes nothing). */
export const escalateStmt = (db: Db, tipId: string, level: number): Stmt =>
  db.update(tips).set({ escalation: level }).where(and(eq(tips.id, tipId), isNull(tips.ackedAt), sql`${tips.escalation} < ${level}`));

/** The PII-free figures of an alert's tips: what the metrics and the yearly statistics count. */
export const tipFigureRows = (db: Db, alertId: string) =>
  db
    .select({
      source: tips.source,
      urgent: tips.urgent,
      receivedAt: tips.receivedAt,
      forwardedAt: tips.forwardedAt,
      ackedAt: tips.ackedAt,
      useful: tips.useful,
      escalation: tips.escalation,
    })
    .from(tips)
    .where(eq(tips.alertId, alertId))
    .all();

/**
 * The case's investigators (their ids): those named on it (issue 23), active and still
 * investigators. None named: none — having touched the alert, or being an investigator,
 * is not enough to read its tips (the cell reads them, and names the investigators).
 */
export async function caseInvestigators(db: Db, alertId: string): Promise<string[]> {
  const rows = await db.all<{ id: string }>(sql`SELECT u.id AS id FROM case_members m JOIN users u ON u.id = m.user_id
    WHERE m.alert_id = ${alertId} AND m.role = 'investigator' AND u.role = 'investigator' AND u.disabled_at IS NULL`);
  return rows.map((r) => r.id);
}
