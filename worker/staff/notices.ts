// Sends the e-mails of an alert's notices (rule 9, sign-off requests, the review prompt,
// the purge notice) over the same relay as the citizens' e-mail. Runs from the queue
// (job `mail_notices`, asked by the command that recorded the notices; the cron asks
// again for any left behind). Each address is recorded once accepted: a retried job
// never mails an address twice. No child data in these messages (templates/email/staff.ts).
import { noticeMail } from "../../templates/email/staff.ts";
import { smtpConfig, smtpTransport } from "../channels/email/smtp.ts";
import { makeDb } from "../db/client.ts";
import { claimNotice, releaseNotice, mailboxes, mailedAddresses, markNoticeMailed, noticePeople, recordMailed, unmailedNotices } from "../db/notices.ts";
import { getAlertRow } from "../db/alerts.ts";
import { type InformEvent, isAccountEvent, isHealthEvent, isPeerEvent, isSystemEvent, mailboxesFor } from "../domain/index.ts";
import { healthByIncident } from "../db/health.ts";
import { log } from "../log.ts";

/** Where a notice's e-mail goes: its people, and the authorities' mailboxes its event calls for (on the cell's notice, once). */
async function addressesOf(db: ReturnType<typeof makeDb>, notice: { id: string; recipientRole: string; event: string }): Promise<string[]> {
  const people = (await noticePeople(db, notice)).map((p) => p.email);
  const kinds = notice.recipientRole === "cell" ? mailboxesFor(notice.event as InformEvent) : [];
  const all = kinds.length ? await mailboxes(db) : null;
  const boxes = all ? kinds.flatMap((k) => all[k]) : [];
  // Both are stored normalised (invitations and the mailboxes form lower-case them): a set is enough.
  return [...new Set([...people, ...boxes])];
}

/** How long one run holds a notice: ample for a few addresses over a slow relay. */
const CLAIM_MS = 60_000;

export async function mailNotices(env: Env, alertId: string, now = new Date()): Promise<{ notices: number; mailed: number }> {
  const db = makeDb(env.DB);
  const pending = await unmailedNotices(db, alertId);
  if (!pending.length) return { notices: 0, mailed: 0 };
  const config = smtpConfig(env);
  if (!config) {
    // Without a relay the notices stay in the dashboard inboxes; said once per notice, not retried forever.
    for (const n of pending) await markNoticeMailed(db, n.id, "no_relay", now);
    log.warn("notice_mail_no_relay", { alertId, notices: pending.length });
    return { notices: pending.length, mailed: 0 };
  }
  // The row outlives the purge (a PII-free skeleton): its state, exercise flag and end time.
  // An account notice (issue 23) is about a request, a health notice (issue 27) about a channel: not an alert.
  const system = pending.every((n) => isSystemEvent(n.event));
  const alert = system ? { state: "", exercise: false, endsAt: null } : await getAlertRow(db, alertId);
  const check = pending.some((n) => isHealthEvent(n.event)) ? await healthByIncident(db, alertId) : null;
  const transport = smtpTransport(config, 1);
  let mailed = 0;
  let handled = 0;
  try {
    for (const n of pending) {
      // Another run (a second job, the cron's) is on it: it finishes or its claim runs out.
      if (!(await claimNotice(db, n.id, now, CLAIM_MS))) continue;
      try {
        const addresses = await addressesOf(db, n);
        const done = await mailedAddresses(db, n.id);
        const mail = noticeMail({
          event: n.event as InformEvent,
          alertId,
          state: alert.state,
          exercise: alert.exercise,
          endsAt: n.event === "review_due" ? alert.endsAt : null,
          url: isAccountEvent(n.event) ? `${env.APP_ORIGIN}/admin` : isHealthEvent(n.event) ? `${env.APP_ORIGIN}/readiness` : isPeerEvent(n.event) ? `${env.APP_ORIGIN}/abroad` : `${env.APP_ORIGIN}/alerts/${alertId}`,
          check: isHealthEvent(n.event) && check
            ? { channel: check.channel, label: check.label, status: check.status, answered: check.incidentDetail }
            : n.event === "channel_stalled" || n.event === "channel_recovered"
              ? // The watchdog's occurrence (alert:event:channel:fanout:n:role) names the channel.
                { channel: n.dedupeKey.split(":")[2] ?? "?", label: "", status: n.event === "channel_stalled" ? "stalled or failing" : "delivering", answered: null }
              : undefined,
        });
        for (const to of addresses.filter((a) => !done.has(a))) {
          await transport.sendMail({
            from: config.from,
            to,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
            headers: { "Auto-Submitted": "auto-generated", "X-Child-Alert": `notice; event=${n.event}` },
          });
          await recordMailed(db, n, to, now);
          mailed++;
        }
        await markNoticeMailed(db, n.id, addresses.length ? "sent" : "no_address", now);
      } catch (err) {
        // The queue retries the job: the next run may claim it at once (the accepted addresses stay recorded).
        await releaseNotice(db, n.id).catch(() => undefined);
        throw err;
      }
      handled++;
    }
  } finally {
    transport.close();
  }
  return { notices: handled, mailed };
}
