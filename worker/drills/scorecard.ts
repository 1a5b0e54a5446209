// A drill's scorecard (issue 27): the timeline of an exercise alert from its creation to
// the last channel's withdrawal — each sign-off, the authorisation, the launch, each
// channel's first delivery and 50 / 99 / 100 %, the first tip forwarded and acknowledged,
// the stop, each channel's withdrawal (social deletions included) — and each target met or
// not. Times and counts only: no child data, so once complete it is kept (drill_scorecards)
// and outlives the drill's purge.
import { and, asc, desc, eq, isNull, notInArray, sql } from "drizzle-orm";
import { commit } from "../db/client.ts";
import type { Db } from "../db/client.ts";
import { alerts, consents, drillScorecards, drillTargets, signOffs, tips } from "../db/schema.ts";
import { DRILL_MILESTONES, DRILL_TARGET_KEYS, DRILL_TARGETS, type DrillTarget } from "../domain/drill.ts";
import { AppError } from "../errors.ts";
import { type FanoutCounters, fanoutFinished } from "../fanout/ledger.ts";

export interface Step {
  key: string;
  at: string | null;
}
export interface ChannelLine {
  channel: string;
  delivered: number;
  first: string | null;
  p50: string | null;
  p99: string | null;
  p100: string | null;
  withdrawn: string | null;
}
export interface TargetLine {
  key: DrillTarget;
  targetMs: number;
  actualMs: number | null;
  pass: boolean | null;
}
export interface Scorecard {
  alertId: string;
  startedAt: string;
  complete: boolean;
  steps: Step[];
  channels: ChannelLine[];
  targets: TargetLine[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const ms = (at: string | null | undefined) => (at ? Date.parse(at) : null);
const span = (from: string | null, to: string | null) => (from && to ? Date.parse(to) - Date.parse(from) : null);

/** When the fan-out reached `share` of what it delivered in the end. */
function reached(c: FanoutCounters, share: number): string | null {
  if (!c.sent || !c.progress?.length) return null;
  const goal = Math.ceil(c.sent * share);
  const point = c.progress.find(([, sent]) => sent >= goal);
  return point ? iso(Date.parse(c.startedAt) + point[0]) : null;
}

export async function currentDrillTargets(db: Db): Promise<Record<DrillTarget, number>> {
  const rows = await db.select().from(drillTargets);
  return Object.fromEntries(DRILL_TARGET_KEYS.map((k) => [k, rows.find((r) => r.key === k)?.ms ?? DRILL_TARGETS[k]])) as Record<DrillTarget, number>;
}

/** The scorecard as it stands (a drill still running has blanks); kept once complete. */
/** `fanoutsOf` reads the alert's fan-out counters (from its object, or the object's own ledger). */
export async function drillScorecard(db: Db, alertId: string, fanoutsOf: () => Promise<FanoutCounters[]>): Promise<Scorecard> {
  const kept = await db.select().from(drillScorecards).where(eq(drillScorecards.alertId, alertId)).get();
  if (kept) return JSON.parse(kept.card) as Scorecard;
  const alert = await db.select().from(alerts).where(eq(alerts.id, alertId)).get();
  if (!alert) throw new AppError("E_NOT_FOUND", "no such drill");
  if (!alert.exercise) throw new AppError("E_NOT_FOUND", "a scorecard is for a drill (an exercise alert), not a real alert");

  const signed = await db
    .select({ kind: signOffs.kind, at: signOffs.createdAt })
    .from(signOffs)
    .where(and(eq(signOffs.alertId, alertId), isNull(signOffs.voidedAt)))
    .orderBy(asc(signOffs.createdAt));
  const firstOf = (kind: string) => signed.find((s) => s.kind === kind)?.at ?? null;
  const consent = await db.select({ at: consents.createdAt }).from(consents).where(eq(consents.alertId, alertId)).orderBy(asc(consents.createdAt)).get();
  const tip = await db.select({ received: tips.receivedAt, forwarded: tips.forwardedAt, acked: tips.ackedAt }).from(tips).where(eq(tips.alertId, alertId)).orderBy(asc(tips.receivedAt)).get();
  const fanouts = alert.launchedAt ? await fanoutsOf() : [];
  // The launch's broadcast on each channel (the first content one), and the retraction.
  const content = new Map<string, FanoutCounters>();
  const retraction = new Map<string, FanoutCounters>();
  for (const c of fanouts) {
    if (c.event === "stop") retraction.set(c.channel, c);
    else if (c.event === "alert" && !content.has(c.channel)) content.set(c.channel, c);
  }
  const channels: ChannelLine[] = [...new Set([...content.keys(), ...retraction.keys()])]
    .map((channel) => {
      const c = content.get(channel);
      const r = retraction.get(channel);
      const [p50, p99, p100] = DRILL_MILESTONES.map((share) => (c ? reached(c, share) : null));
      return {
        channel,
        delivered: c?.sent ?? 0,
        first: c?.progress?.length ? iso(Date.parse(c.startedAt) + c.progress[0]![0]) : null,
        p50: p50!,
        p99: p99!,
        p100: p100!,
        withdrawn: r && fanoutFinished(r) ? (r.completedAt ?? null) : null,
      };
    })
    // A channel with nobody to reach in this drill says nothing.
    .filter((l) => l.delivered > 0 || (retraction.get(l.channel)?.sent ?? 0) > 0);

  const authorised = firstOf("authorisation");
  const steps: Step[] = [
    { key: "created", at: alert.createdAt },
    { key: "signoff_investigator", at: firstOf("investigator") },
    { key: "signoff_cell", at: firstOf("cell") },
    { key: "signoff_operator", at: firstOf("operator") },
    { key: "consent", at: consent?.at ?? null },
    { key: "authorised", at: authorised },
    { key: "launched", at: alert.launchedAt },
    { key: "tip_received", at: tip?.received ?? null },
    { key: "tip_forwarded", at: tip?.forwarded ?? null },
    { key: "tip_acknowledged", at: tip?.acked ?? null },
    { key: "stopped", at: alert.stoppedAt },
  ];
  const push = channels.find((l) => l.channel === "push");
  const withdrawnAll = alert.stoppedAt && channels.length && channels.every((l) => l.withdrawn) ? iso(Math.max(...channels.map((l) => ms(l.withdrawn)!))) : null;
  const targetMs = await currentDrillTargets(db);
  const actual: Record<DrillTarget, number | null> = {
    authorisation_to_first_push: span(authorised, push?.first ?? null),
    stop_to_withdrawn_everywhere: span(alert.stoppedAt, withdrawnAll),
    tip_to_investigator: span(tip?.received ?? null, tip?.forwarded ?? null),
  };
  const targets = DRILL_TARGET_KEYS.map((key) => ({ key, targetMs: targetMs[key], actualMs: actual[key], pass: actual[key] === null ? null : actual[key]! <= targetMs[key] }));
  const complete = !!alert.stoppedAt && fanouts.every(fanoutFinished) && (!channels.length || !!withdrawnAll);
  const card: Scorecard = { alertId, startedAt: alert.createdAt, complete, steps, channels, targets };
  if (complete) await db.insert(drillScorecards).values({ alertId, startedAt: alert.createdAt, card: JSON.stringify(card), keptAt: new Date().toISOString() }).onConflictDoNothing();
  return card;
}

/** The kept scorecards, newest first (the history and its trend). */
export async function drillHistory(db: Db, limit = 50): Promise<Scorecard[]> {
  const rows = await db.select().from(drillScorecards).orderBy(desc(drillScorecards.startedAt)).limit(limit);
  return rows.map((r) => JSON.parse(r.card) as Scorecard);
}

/** The admin sets targets (milliseconds), audited; returns them all as they now stand. */
export async function setDrillTargets(db: Db, actor: { userId: string; role: string }, change: Partial<Record<DrillTarget, number>>, now = new Date()): Promise<Record<DrillTarget, number>> {
  const at = now.toISOString();
  const rows = Object.entries(change).map(([key, ms]) =>
    db.insert(drillTargets).values({ key, ms: ms!, updatedBy: actor.userId, updatedAt: at }).onConflictDoUpdate({ target: drillTargets.key, set: { ms: ms!, updatedBy: actor.userId, updatedAt: at } }),
  );
  if (rows.length) await commit(db, rows, [{ actorUserId: actor.userId, actorRole: actor.role, action: "drill_targets_set", details: change }], now);
  return currentDrillTargets(db);
}

/** Drills under way: exercise alerts not purged nor cancelled whose scorecard is not kept yet. */
export const runningDrills = (db: Db) =>
  db
    .select({ alertId: alerts.id, state: alerts.state, createdAt: alerts.createdAt })
    .from(alerts)
    .where(and(eq(alerts.exercise, true), notInArray(alerts.state, ["purged", "cancelled"]), sql`${alerts.id} NOT IN ${db.select({ id: drillScorecards.alertId }).from(drillScorecards)}`))
    .orderBy(desc(alerts.createdAt))
    .limit(20);
