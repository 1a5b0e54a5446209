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
import { type Audience, kindCarriedOn, LANGUAGES, optInsOf, publishableContent } from "../domain/index.ts";
import { type FanoutCounters, type FanoutLedger, firstPassDone, NO_COUNTS, type StoredMessage } from "./ledger.ts";
import type { PageJob } from "./jobs.ts";
import { log } from "../log.ts";
import { pushHeadStartS } from "../config.ts";
import { channelShards, pageShards, startsOver } from "./shards.ts";

/** A retraction waits at most this long for content pages still in flight (a sender's timeout plus margin). */
export const STOP_WAIT_MS = 15_000;
/** A newer version waits at most this long for the running sweep to pass every page. */
export const PENDING_MAX_WAIT_MS = 60_000;
/**
 * Push first, on the launch path too: a new content broadcast plans web push and enqueues
 * its first page at once; push's other shards and pages and the other channels follow
 * this long after (the alert's alarm), so that nothing runs beside the first push page.
 * 0 without a head start.
 */
export const deferOthersMs = (env: Pick<Env, "PUSH_HEAD_START_S">) => (pushHeadStartS(env) > 0 ? 250 : 0);
/** The channels that go first at a launch (limits.leadsLaunch: web push). */
export const LAUNCH_LEADERS = (CHANNELS as readonly Channel[]).filter((c) => c.limits.leadsLaunch).map((c) => c.name as ChannelName);
/** Queue.sendBatch takes at most 100 messages. */
const BATCH = 100;

/** What an intent left in the outbox is made of, read back from D1 (null: purged before it went out). */
async function loadSource(db: Db, intent: BroadcastIntent): Promise<BroadcastSource | null> {
  const { row: alert, snapshot } = await loadSnapshot(db, intent.alertId);
  const kind = { kind: snapshot.kind, socialRequested: snapshot.socialRequested };
  if (intent.event === "stop") return { exercise: alert.exercise, endsAt: null, ...kind };
  const version = await versionOf(db, intent.alertId, intent.versionId);
  if (!version?.content) return null;
  return { exercise: alert.exercise, endsAt: alert.endsAt, content: publishableContent(snapshot, version)!, ...kind };
}

/**
 * Plans one outbox intent on every channel not planned yet for it. `source` comes from the
 * command that just recorded it (nothing is read again on the launch path); without it,
 * the intent is read back from D1 (the alarm's and the cron's retries).
 */
export async function planIntent(env: Env, ledger: FanoutLedger, intent: BroadcastIntent, source?: BroadcastSource, now = new Date(), only?: readonly ChannelName[]): Promise<void> {
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
    ? { regions: [...src.content.targeting.regions], languages: [...src.content.targeting.languages], exercise: src.exercise, ...(src.kind === "search_notice" ? { kind: src.kind } : {}) }
    : null;
  for (const channel of CHANNELS as readonly Channel[]) {
    if (only && !only.includes(channel.name as ChannelName)) continue;
    if (await ledger.counters(intent.id, channel.name)) continue;
    await planChannel(env, db, ledger, channel, intent, b, audience, now, !!only);
  }
}

async function planChannel(env: Env, db: Db, ledger: FanoutLedger, channel: Channel, intent: BroadcastIntent, b: Broadcast, audience: Audience | null, now: Date, firstPageOnly = false) {
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
    const stopMessage = message();
    await ledger.putMessage(name, stopMessage);
    await publish(stopMessage);
    if (sweep.pending) await supersede(ledger, sweep.pending, name);
    await ledger.setSweep(name, { ...(sweep.running ? { running: sweep.running } : {}) });
    await ledger.putCounters(base); // waits in advance() for content pages still in flight
    await ledger.setStopWaiting(name, true);
    return;
  }
  // Issue 29: a search notice is never pushed to every browser or mailbox; its social posts wait for the magistrate's request.
  if (!kindCarriedOn(b.kind ?? "child_alert", name, !!b.socialRequested)) {
    await ledger.putCounters({ ...base, status: "done", notCarried: true, completedAt: now.toISOString() });
    return;
  }
  if (!(await channelEnabled(db, name)) || channel.configured?.(env) === false) {
    await ledger.putCounters({ ...base, status: "done", switchedOff: true, completedAt: now.toISOString() });
    return;
  }
  const m = message();
  await ledger.putMessage(name, m);
  const running = sweep.running ? await ledger.counters(sweep.running, name) : undefined;
  if (running?.status === "running" && !firstPassDone(running)) {
    // From here, every sender of this channel sends this version (or a newer one).
    await publish(m);
    // One content sweep at a time: the running one now sends this version to the pages it
    // has not reached; this one follows for the pages it had already passed.
    if (sweep.pending) await supersede(ledger, sweep.pending, name);
    await ledger.setSweep(name, { running: sweep.running, pending: intent.id });
    await ledger.putCounters(base);
    return;
  }
  // A sweep still waiting (its predecessor finished its first pass before the alarm promoted it) will never run now
  // that this newer version starts: superseded, or its counters would stay "waiting" for ever.
  if (sweep.pending) await supersede(ledger, sweep.pending, name);
  await ledger.setSweep(name, { running: intent.id });
  // The message reaches every shard inside start(): the first page's shard first, so the first page leaves at once.
  await start(env, ledger, channel, base, intent.alertId, m, firstPageOnly);
}

/** Content pages of the channel that asked for a lease and have not reported yet, over its shards. */
async function contentInFlight(env: Env, alertId: string, name: ChannelName): Promise<number> {
  return (await Promise.all(channelShards(env, alertId, name).map((s) => s.contentInFlight(name)))).reduce((a, b) => a + b, 0);
}

async function supersede(ledger: FanoutLedger, id: string, ch: ChannelName) {
  await ledger.update(id, ch, (c) => (c.status === "waiting" ? { ...c, status: "superseded", completedAt: new Date().toISOString() } : null));
}

/**
 * Cuts the pages (content: the live recipients; retraction: whoever may have received
 * content) and enqueues them. With `publish` (a new content sweep), the message goes to
 * the first page's shard, that page is enqueued, and only then to the channel's other
 * shards before the other pages: the first recipients never wait for every shard.
 */
async function start(env: Env, ledger: FanoutLedger, channel: Channel, c: FanoutCounters, alertId: string, publish?: StoredMessage, firstPageOnly = false): Promise<void> {
  const { pageSize } = channel.limits;
  const { starts, end } =
    c.event === "stop"
      ? startsOver((await Promise.all(channelShards(env, alertId, c.channel).map((s) => s.contentKeys(c.channel)))).flat().sort((a, b) => a - b), pageSize)
      : await channel.pageStarts(env, pageSize, optInsOf((publish ?? (await ledger.message(c.channel, c.version)))?.audience ?? null));
  const shards = channelShards(env, alertId, c.channel);
  const firstShards = new Set(starts.length ? pageShards(env, { alertId, channel: c.channel, from: starts[0]!, to: starts[1] ?? end }).map((p) => p.shard) : [0]);
  if (publish) await Promise.all([...firstShards].map((i) => shards[i]!.publish(c.channel, publish)));
  const { waitingSince: _w, ...rest } = c;
  const now = new Date().toISOString();
  const counters: FanoutCounters = { ...rest, startedAt: now, status: starts.length ? "running" : "done", pagesPlanned: starts.length, ...(starts.length ? {} : { completedAt: now }) };
  await ledger.storePlan(counters, starts, end);
  if (publish) {
    await enqueueRest(env, ledger, channel, counters, alertId, 1);
    log.info("fanout_first_page", { alertId, channel: c.channel, broadcast: c.event, pages: starts.length, ms: Date.now() - Date.parse(c.startedAt) });
    // Push first: the other shards and pages follow at the alarm (advance() hands the message to every shard, then enqueues).
    if (firstPageOnly) return;
    await Promise.all(shards.filter((_, i) => !firstShards.has(i)).map((shard) => shard.publish(c.channel, publish)));
  }
  await enqueueRest(env, ledger, channel, counters, alertId);
}

/** Sends the page jobs not enqueued yet (up to `upTo` pages), round-robin over the channel's queues. */
async function enqueueRest(env: Env, ledger: FanoutLedger, channel: Channel, c: FanoutCounters, alertId: string, upTo = Infinity): Promise<void> {
  const plan = await ledger.plan(c.fanoutId, c.channel);
  if (!plan || plan.enqueued >= Math.min(plan.pages, upTo)) return;
  const pages = (await ledger.pages(c.fanoutId, c.channel)).slice(0, upTo);
  const queues = channel.limits.queues(env);
  const window = BATCH * queues.length;
  for (let a = plan.enqueued; a < pages.length; a += window) {
    const jobs = pages.slice(a, a + window).map(
      (p): PageJob => ({ type: "page", channel: c.channel, alertId, fanoutId: c.fanoutId, event: c.event, from: p.from, to: p.to, attempt: 0 }),
    );
    // Push first: the other channels' content pages (e-mail MIME and poster, social uploads)
    // start a moment later, so that no other work sits in front of the first browsers.
    const delaySeconds = c.event !== "stop" && !channel.limits.leadsLaunch ? pushHeadStartS(env) : 0;
    for (let s = 0; s < queues.length; s++) {
      const mine = jobs.filter((_, j) => (a + j) % queues.length === s);
      if (mine.length) await queues[s]!.sendBatch(mine.map((body) => ({ body, contentType: "json" as const, ...(delaySeconds ? { delaySeconds } : {}) })));
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
    for (const c of mine.filter((x) => x.status === "running")) {
      // Enqueueing stopped half-way (the object restarted): every shard gets the message again first (idempotent).
      const plan = await ledger.plan(c.fanoutId, name);
      if (!plan || plan.enqueued >= plan.pages) continue;
      const m = await ledger.message(name, c.event === "stop" ? "stop" : c.version);
      if (m) await Promise.all(channelShards(env, alertId, name).map((shard) => shard.publish(name, m)));
      await enqueueRest(env, ledger, channel, c, alertId);
    }

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
