// The cron safety net behind the Durable Object alarms: any alert whose expiry or purge
// is due gets a `tick` in its object, and any alert with a broadcast still unplanned in
// the outbox gets its reconciler run. Alarms are reliable, but an alert must never stay
// live past its end, keep a child's data past retention, or miss a broadcast because one
// was lost. Notices whose e-mail was not sent (the queue send failed) are asked again.
import { alertsWithDueTimers } from "../db/alerts.ts";
import { inactiveRetentionHours } from "../config.ts";
import { alertsWithUnplanned } from "../db/broadcasts.ts";
import { makeDb } from "../db/client.ts";
import { alertsWithUnmailedNotices } from "../db/notices.ts";
import type { CommandOutcome } from "./object.ts";
import { log } from "../log.ts";
import { alertStub } from "./api.ts";
import { purgePeerRequests } from "../abroad/requests.ts";
import { pruneEmailAddresses, pruneSubscriptions, sweepOrphanPhotos } from "./retention.ts";
import { deleteEndedSessionsAndChallenges } from "../db/auth.ts";
import { closeLiveFeeds } from "../staff/sessions.ts";
import { anchorPeriodically } from "../audit/anchors.ts";
import { retellPasskeys } from "../staff/passkey-notice.ts";
import { checkHealth } from "../health/checks.ts";
import { resendHandoffs } from "../abroad/peers.ts";

export async function runDueTimers(env: Env, now: Date): Promise<number> {
  const due = await alertsWithDueTimers(makeDb(env.DB), now, inactiveRetentionHours(env));
  let ticked = 0;
  for (const { id } of due) {
    const outcome = (await alertStub(env, id).tick(id)) as CommandOutcome;
    if (outcome.ok) ticked++;
    else log.warn("cron_tick_refused", { alertId: id, code: outcome.error.code });
  }
  return ticked;
}

/** An intent the alert's object should have planned within seconds; older than this, the cron steps in. */
export const UNPLANNED_GRACE_MS = 30_000;

export async function reconcileBroadcasts(env: Env, now: Date): Promise<number> {
  const alerts = await alertsWithUnplanned(makeDb(env.DB), new Date(now.getTime() - UNPLANNED_GRACE_MS));
  for (const id of alerts) {
    log.warn("cron_reconcile", { alertId: id });
    await alertStub(env, id).reconcile();
  }
  return alerts.length;
}

/** A notice whose e-mail the queue should have sent within a minute or two; older than this, the cron asks again. */
export const UNMAILED_GRACE_MS = 2 * 60_000;

export async function remailNotices(env: Env, now: Date): Promise<number> {
  const alerts = await alertsWithUnmailedNotices(makeDb(env.DB), new Date(now.getTime() - UNMAILED_GRACE_MS));
  for (const alertId of alerts) await env.FANOUT.send({ type: "mail_notices", alertId });
  if (alerts.length) log.warn("cron_remail_notices", { alerts: alerts.length });
  return alerts.length;
}

/** Sessions that expired or idled out end for good, and so do their open live feeds (within one cron period). */
async function endSessions(env: Env, db: ReturnType<typeof makeDb>, now: Date): Promise<number> {
  const ended = await deleteEndedSessionsAndChallenges(db, now);
  for (const s of ended) await closeLiveFeeds(env, s.userId, s.tokenHash);
  return ended.length;
}

/** Everything the 5-minute cron does; one task failing does not stop the others. */
export async function runCron(env: Env, now: Date): Promise<void> {
  const db = makeDb(env.DB);
  const tasks = { timers: () => runDueTimers(env, now), broadcasts: () => reconcileBroadcasts(env, now), photos: () => sweepOrphanPhotos(db, env.MEDIA, now), subscriptions: () => pruneSubscriptions(db, now), emails: () => pruneEmailAddresses(db, now), notices: () => remailNotices(env, now), passkeys: () => retellPasskeys(env, now), sessions: () => endSessions(env, db, now), anchor: () => anchorPeriodically(env, db, now), health: () => checkHealth(env, now).then((rows) => rows.filter((r) => r.status === "failing").length), handoffs: () => resendHandoffs(env, now), peerRequests: () => purgePeerRequests(env, now) };
  await Promise.all(Object.entries(tasks).map(([task, run]) => run().catch((err) => log.error("cron_task_failed", { task, error: err }))));
}
