// Planning a broadcast: for every channel in the registry, compose the message once per
// language and hand it to the channel's ledger shards, cut the live recipients into dense
// pages, store the plan in the alert's ledger and spread the page jobs over the
// channel's queues. Runs inside the alert's
// Durable Object (inline after the commit, then from its alarm until done), idempotently:
// a plan is stored before its pages are enqueued, and enqueueing resumes where it stopped.
import type { Broadcast, BroadcastSource, Channel } from "../channels/channel.ts";
import { CHANNELS, type ChannelName } from "../channels/index.ts";
import { type Db, makeDb } from "../db/client.ts";
import { loadSnapshot, versionOf } from "../db/alerts.ts";
import type { BroadcastIntent } from "../db/broadcasts.ts";
import { channelEnabled } from "../db/settings.ts";
import { type Audience, LANGUAGES, publishableContent } from "../domain/index.ts";
import { type FanoutCounters, type FanoutLedger, firstPassDone, NO_COUNTS, type StoredMessage } from "./ledger.ts";
import type { PageJob } from "./jobs.ts";
import { log } from "../log.ts";
import { channelShards, startsOver } from "./shards.ts";

/** A retraction waits at most this long for content pages still in flight (a sender's timeout plus margin). */
export const STOP_WAIT_MS = 15_000;
/** A newer version waits at most this long for the running sweep to pass every page. */
export const PENDING_MAX_WAIT_MS = 60_000;
/** Queue.sendBatch takes at most 100 messages. */
const BATCH = 100;

/** What an intent left in the outbox is made of, read back from D1 (null: purged before it went out). */
async function loadSource(db: Db, intent: BroadcastIntent): Promise<BroadcastSource | null> {
  const { row: alert, snapshot } = await loadSnapshot(db, intent.alertId);
  if (intent.event === "stop") return { exercise: alert.exercise, endsAt: null };
  const version = await versionOf(db, intent.alertId, intent.versionId);
  if (!version?.content) return null;
  return { exercise: alert.exercise, endsAt: alert.endsAt, content: publishableContent(snapshot, version)! };
}

/**
 * Plans one outbox intent on every channel not planned yet for it. `source` comes from the
 * command that just recorded it (nothing is read again on the launch path); without it,
 * the intent is read back from D1 (the alarm's and the cron's retries).
 */
export async function planIntent(env: Env, ledger: FanoutLedger, intent: BroadcastIntent, source?: BroadcastSource, now = new Date()): Promise<void> {
  const db = makeDb(env.DB);
  const src = source ?? (await loadSource(db, intent));
  if (!src) return; // purged before it could go out: nothing to send
  const b: Broadcast = {
    alertId: intent.alertId,
    broadcastId: intent.id,
    event: intent.event,
    version: intent.version,
    versionId: intent.versionId,
    origin: env.APP_ORIGIN,
    ...src,
    ...(intent.stopReason ? { stopReason: intent.stopReason } : {}),
  };
  const audience: Audience | null = src.content
    ? { regions: [...src.content.targeting.regions], languages: [...src.content.targeting.languages], exercise: src.exercise }
    : null;
  for (const channel of CHANNELS as readonly Channel[]) {
    if (await ledger.counters(intent.id, channel.name)) continue;
    await planChannel(env, db, ledger, channel, intent, b, audience, now);
  }
}

async function planChannel(env: Env, db: Db, ledger: FanoutLedger, channel: Channel, intent: BroadcastIntent, b: Broadcast, audience: Audience | null, now: Date) {
  const name = channel.name as ChannelName;
  const base: FanoutCounters = {
    ...NO_COUNTS,
    fanoutId: intent.id,
    channel: name,
    event: intent.event,
    versionId: intent.versionId,
    version: intent.version,
    startedAt: now.toISOString(),
    status: "waiting",
    pagesPlanned: 0,
    pagesDone: 0,
    waitingSince: now.toISOString(),
  };
  /** The message once per language (the retraction in every language: whoever had content, in theirs). */
  const message = (): StoredMessage => ({
    event: intent.event,
    version: intent.event === "stop" ? 0 : intent.version,
    audience,
    byLang: Object.fromEntries((audience ? audience.languages : LANGUAGES).map((lang) => [lang, channel.compose(b, lang)])),
    endsAt: b.endsAt,
  });
  const sweep = await ledger.sweep(name);
  /** Every shard of the channel gets the message (content: from then on, its senders send this version or a newer one). */
  const publish = (m: StoredMessage) => Promise.all(channelShards(env, intent.alertId, name).map((shard) => shard.publish(name, m)));
  if (intent.event === "stop") {
    // Whoever may have received content gets the retraction, always (even if switched off).
    await publish(message());
    if (sweep.pending) await supersede(ledger, sweep.pending, name);
    await ledger.setSweep(name, { ...(sweep.running ? { running: sweep.running } : {}) });
    await ledger.putCounters(base); // waits in advance() for content pages still in flight
    await ledger.setStopWaiting(name, true);
    return;
  }
  if (!(await channelEnabled(db, name)) || channel.configured?.(env) === false) {
    await ledger.putCounters({ ...base, status: "done", switchedOff: true, completedAt: now.toISOString() });
    return;
  }
  // From here, every sender of this channel sends this version (or a newer one).
  await publish(message());
  const running = sweep.running ? await ledger.counters(sweep.running, name) : undefined;
  if (running?.status === "running" && !firstPassDone(running)) {
    // One content sweep at a time: the running one now sends this version to the pages it
    // has not reached; this one follows for the pages it had already passed.
    if (sweep.pending) await supersede(ledger, sweep.pending, name);
    await ledger.setSweep(name, { running: sweep.running, pending: intent.id });
    await ledger.putCounters(base);
    return;
  }
  await ledger.setSweep(name, { running: intent.id });
  await start(env, ledger, channel, base, intent.alertId);
  log.info("fanout_planned", { alertId: intent.alertId, channel: name, event: intent.event, ms: Date.now() - now.getTime() });
}

/** Content pages of the channel that asked for a lease and have not reported yet, over its shards. */
async function contentInFlight(env: Env, alertId: string, name: ChannelName): Promise<number> {
  return (await Promise.all(channelShards(env, alertId, name).map((s) => s.contentInFlight(name)))).reduce((a, b) => a + b, 0);
}

async function supersede(ledger: FanoutLedger, id: string, ch: ChannelName) {
  await ledger.update(id, ch, (c) => (c.status === "waiting" ? { ...c, status: "superseded", completedAt: new Date().toISOString() } : null));
}

/** Cuts the pages (content: the live recipients; retraction: whoever may have received content) and enqueues them. */
async function start(env: Env, ledger: FanoutLedger, channel: Channel, c: FanoutCounters, alertId: string): Promise<void> {
  const { pageSize } = channel.limits;
  const { starts, end } =
    c.event === "stop"
      ? startsOver((await Promise.all(channelShards(env, alertId, c.channel).map((s) => s.contentKeys(c.channel)))).flat().sort((a, b) => a - b), pageSize)
      : await channel.pageStarts(env, pageSize);
  const { waitingSince: _w, ...rest } = c;
  const now = new Date().toISOString();
  const counters: FanoutCounters = { ...rest, startedAt: now, status: starts.length ? "running" : "done", pagesPlanned: starts.length, ...(starts.length ? {} : { completedAt: now }) };
  await ledger.storePlan(counters, starts, end);
  await enqueueRest(env, ledger, channel, counters, alertId);
}

/** Sends the page jobs not enqueued yet, round-robin over the channel's queues. */
async function enqueueRest(env: Env, ledger: FanoutLedger, channel: Channel, c: FanoutCounters, alertId: string): Promise<void> {
  const plan = await ledger.plan(c.fanoutId, c.channel);
  if (!plan || plan.enqueued >= plan.pages) return;
  const pages = await ledger.pages(c.fanoutId, c.channel);
  const queues = channel.limits.queues(env);
  const window = BATCH * queues.length;
  for (let a = plan.enqueued; a < pages.length; a += window) {
    const jobs = pages.slice(a, a + window).map(
      (p): PageJob => ({ type: "page", channel: c.channel, alertId, fanoutId: c.fanoutId, event: c.event, from: p.from, to: p.to, attempt: 0 }),
    );
    for (let s = 0; s < queues.length; s++) {
      const mine = jobs.filter((_, j) => (a + j) % queues.length === s);
      if (mine.length) await queues[s]!.sendBatch(mine.map((body) => ({ body, contentType: "json" as const })));
    }
    await ledger.markEnqueued(c.fanoutId, c.channel, Math.min(a + window, pages.length));
  }
}

/**
 * Moves every channel's fan-outs on: resumes enqueueing that stopped half-way, starts the
 * pending sweep once the running one has passed every page, starts a retraction once no
 * content page is in flight. Returns when it wants to be called again (or null).
 */
export async function advance(env: Env, ledger: FanoutLedger, alertId: string, now = Date.now()): Promise<number | null> {
  let wake: number | null = null;
  const later = (at: number) => (wake = wake === null ? at : Math.min(wake, at));
  const all = await ledger.all();
  for (const channel of CHANNELS as readonly Channel[]) {
    const name = channel.name as ChannelName;
    const mine = all.filter((c) => c.channel === name);
    for (const c of mine) if (c.status === "running") await enqueueRest(env, ledger, channel, c, alertId);

    const sweep = await ledger.sweep(name);
    if (sweep.pending) {
      const running = sweep.running ? mine.find((c) => c.fanoutId === sweep.running) : undefined;
      const pending = mine.find((c) => c.fanoutId === sweep.pending);
      const since = Date.parse(pending?.waitingSince ?? "") || now;
      if (!running || running.status !== "running" || firstPassDone(running) || now - since >= PENDING_MAX_WAIT_MS) {
        await ledger.setSweep(name, { running: sweep.pending });
        if (pending?.status === "waiting") await start(env, ledger, channel, pending, alertId);
      } else later(since + PENDING_MAX_WAIT_MS);
    }

    for (const c of mine.filter((x) => x.event === "stop" && x.status === "waiting")) {
      const since = Date.parse(c.waitingSince ?? "") || now;
      if ((await contentInFlight(env, alertId, name)) === 0 || now - since >= STOP_WAIT_MS) {
        await start(env, ledger, channel, c, alertId);
        await ledger.setStopWaiting(name, false);
      } else later(since + STOP_WAIT_MS);
    }
  }
  return wake;
}
