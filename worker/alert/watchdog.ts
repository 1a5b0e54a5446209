// The alert's watchdog at work (issue 27): the object calls `watchFanouts` every
// WATCH_EVERY_MS while its fan-outs run; fanout/watch.ts decides, this tells. A channel
// that stalls or fails pages the operator and the cell — inbox, e-mail and staff push —
// once per incident, and tells them again when it delivers; the live panel shows it.
import { commit, makeDb } from "../db/client.ts";
import { noticeStmt } from "../db/notices.ts";
import { whoIsInformed } from "../domain/index.ts";
import type { FanoutLedger } from "../fanout/ledger.ts";
import { look, stillWatching, type Watch } from "../fanout/watch.ts";
import { pushToStaff } from "../intake/staff-push.ts";
import { log } from "../log.ts";

const watchKey = (fanoutId: string, channel: string) => `watch:${fanoutId}:${channel}`;

/** What a staff device shows: no child data, the channel and where to look. */
function pagePayload(origin: string, alertId: string, channel: string, reason: string | null) {
  return {
    v: 1,
    type: "staff",
    tag: `channel:${alertId}:${channel}`,
    title: reason
      ? `Child Alert: ${channel} ${reason === "stalled" ? "stalled" : "failing"} · canal en panne · kanaal faalt · Kanal gestört`
      : `Child Alert: ${channel} delivers again · canal rétabli · kanaal hersteld · Kanal wieder da`,
    body: "Open the alert's live panel. · Ouvrez le panneau en direct. · Open het live-paneel. · Öffnen Sie das Live-Panel.",
    url: `${origin}/alerts/${alertId}`,
  };
}

/** One look at every fan-out of the alert; returns whether to look again. */
export async function watchFanouts(env: Env, storage: DurableObjectStorage, ledger: FanoutLedger, alertId: string, now = Date.now()): Promise<boolean> {
  const all = await ledger.all();
  const db = makeDb(env.DB);
  for (const c of all) {
    const key = watchKey(c.fanoutId, c.channel);
    const before = await storage.get<Watch>(key);
    // A fan-out that ended before the watchdog ever saw it running needs no watching.
    if (!before && c.status !== "running") continue;
    const step = look(c, before, now);
    await storage.put(key, step.watch);
    const change = step.opened ?? step.closed;
    if (!change) continue;
    const event = step.opened ? "channel_stalled" : "channel_recovered";
    const occurrence = `${c.channel}:${c.fanoutId}:${change.n}`;
    await commit(db, [noticeStmt(db, alertId, event, whoIsInformed(event), occurrence, new Date(now))], [
      { actorUserId: null, actorRole: null, alertId, action: step.opened ? "channel_incident_opened" : "channel_incident_closed", details: { channel: c.channel, event: c.event, fanoutId: c.fanoutId, reason: step.opened?.reason ?? null } },
    ], new Date(now));
    await ledger.update(c.fanoutId, c.channel, (x) => ({ ...x, incident: step.opened ? { reason: step.opened.reason, since: new Date(now).toISOString() } : undefined }));
    (step.opened ? log.error : log.info)(step.opened ? "channel_incident_opened" : "channel_incident_closed", { alertId, channel: c.channel, event: c.event, reason: step.opened?.reason, sent: c.sent, failed: c.failed, retrying: c.retrying });
    await env.FANOUT.send({ type: "mail_notices", alertId }).catch(() => undefined); // the cron asks again
    await pushToStaff(env, db, { userIds: [], roles: [...whoIsInformed(event)] }, pagePayload(env.APP_ORIGIN, alertId, c.channel, step.opened?.reason ?? null), `ch${c.channel}${alertId}`).catch((err) =>
      log.warn("staff_page_push_failed", { alertId, error: err }),
    );
  }
  return stillWatching(all);
}
