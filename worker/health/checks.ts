// Channel health (issue 27): every channel's far side checked by its own harmless calls
// (channels/*: `health`), by the cron every 5 minutes and on demand from the readiness
// screen. The latest result per check is kept in D1; a check that turns red opens an
// incident — a notice for the operator and the admin (inbox and e-mail) and an audit
// entry — and one that turns green again closes it with a second notice. A check that
// stays red is not announced again.
import { CHANNELS, type ChannelName } from "../channels/index.ts";
import type { HealthOutcome } from "../channels/channel.ts";
import { type AuditInput, commit, makeDb, type Stmt } from "../db/client.ts";
import { allHealth, dropHealth, type HealthRow, putHealth } from "../db/health.ts";
import { noticeStmt } from "../db/notices.ts";
import { channelSettingsList } from "../db/settings.ts";
import { whoIsInformed } from "../domain/index.ts";
import { log } from "../log.ts";

/** A channel whose checks have not answered by then counts as failing (a far side that hangs is red). */
export const CHECK_TIMEOUT_MS = 20_000;

/** The target of a channel-wide row (switched off, not configured, the checks timed out). */
const WHOLE = "channel";

type Status = HealthRow["status"];
interface Result {
  channel: ChannelName;
  target: string;
  label: string;
  status: Status;
  detail: string;
}

async function outcomesOf(env: Env, name: ChannelName, enabled: boolean): Promise<Result[]> {
  const channel = CHANNELS.find((c) => c.name === name)!;
  const whole = (status: Status, detail: string): Result[] => [{ channel: name, target: WHOLE, label: name, status, detail }];
  if (!enabled) return whole("off", "switched off by the admin");
  if ("configured" in channel && !channel.configured(env)) return whole("off", "not configured in this deployment");
  const check = (channel as { health?: (env: Env) => Promise<HealthOutcome[]> }).health;
  if (!check) return [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const outcomes = await Promise.race([
      check(env),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS))),
    ]);
    if (!outcomes.length) return whole("off", "nothing to check: no account or partner set up");
    return outcomes.map((o) => ({ channel: name, target: o.target, label: o.label, status: o.ok ? "ok" : "failing", detail: o.detail }));
  } catch (err) {
    return whole("failing", err instanceof Error ? err.message.slice(0, 160) : "check failed");
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the checks (every channel, or the given ones), records the results, and opens or
 * closes incidents on each change of colour. Returns every check's latest row.
 */
export async function checkHealth(env: Env, now = new Date(), only?: readonly ChannelName[]): Promise<HealthRow[]> {
  const db = makeDb(env.DB);
  const switches = await channelSettingsList(db, CHANNELS.map((c) => c.name));
  const names = switches.filter((s) => !only || only.includes(s.channel));
  const results = (await Promise.all(names.map((s) => outcomesOf(env, s.channel, s.enabled)))).flat();
  const before = await allHealth(db);
  const at = now.toISOString();
  const statements: Stmt[] = [];
  const audit: AuditInput[] = [];
  const incidents: string[] = [];
  for (const r of results) {
    const prev = before.find((b) => b.channel === r.channel && b.target === r.target);
    const turnedRed = r.status === "failing" && prev?.status !== "failing";
    const turnedGreen = r.status !== "failing" && prev?.status === "failing";
    const incidentId = turnedRed ? crypto.randomUUID() : (prev?.incidentId ?? null);
    const incidentDetail = turnedRed ? r.detail : (prev?.incidentDetail ?? null);
    statements.push(putHealth(db, { ...r, checkedAt: at, since: prev?.status === r.status ? prev.since : at, incidentId, incidentDetail }));
    if (turnedRed || turnedGreen) {
      const event = turnedRed ? "channel_unhealthy" : "channel_healthy";
      statements.push(noticeStmt(db, incidentId!, event, whoIsInformed(event), turnedRed ? "red" : "green", now));
      audit.push({ actorUserId: null, actorRole: null, action: turnedRed ? "channel_check_failed" : "channel_check_recovered", alertId: null, details: { channel: r.channel, target: r.target, incidentId } });
      incidents.push(incidentId!);
      (turnedRed ? log.error : log.info)(turnedRed ? "channel_check_failed" : "channel_check_recovered", { channel: r.channel, target: r.target });
    }
  }
  // Checks of things that are gone (an account removed, a channel now off) are forgotten.
  const checked = new Set(names.map((s) => s.channel as string));
  for (const b of before) {
    if (checked.has(b.channel) && !results.some((r) => r.channel === b.channel && r.target === b.target)) statements.push(dropHealth(db, b.channel, b.target));
  }
  if (statements.length) await commit(db, statements, audit, now);
  for (const id of incidents) await env.FANOUT.send({ type: "mail_notices", alertId: id }).catch(() => undefined); // the cron asks again
  return allHealth(db);
}
