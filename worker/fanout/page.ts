// The page runner: one page of one channel's broadcast. Loads the page's recipients,
// keeps those the newest message targets and who do not have it yet (the retraction:
// those who may have received content), and sends with bounded concurrency. Before
// sends it holds a lease from the alert's ledger — the stop fence — that also marks the
// recipients it covers, so a retraction planned at any moment reaches them. When a stop
// is being committed it starts nothing more and, once its sends in flight have their
// answers, tells the ledger (the stop commits after that, not after a guess of time). Transient
// failures are re-queued with their Retry-After; the page's counts and who was sent
// what go back to the ledger once.
import type { ChannelRecipient, Delivery, Settled } from "../channels/channel.ts";
import { channelOf } from "../channels/index.ts";
import { backoffSeconds } from "../config.ts";
import { isRecipient, optInsOf } from "../domain/index.ts";
import { log } from "../log.ts";
import { pageKeyOf, type PageJob } from "./jobs.ts";
import { runsWhole } from "./shards.ts";
import { type GateAnswer, MAX_LEASE_MS, NO_COUNTS, PAGE_COUNTS, type PageCounts, type PageRef, type PageReport, type PageSel, type PageStart, SEND_LEASE_MS, type StoredMessage } from "./ledger.ts";

/** A part of a page job (a key range, or retry keys within it). */
export interface PageSlice {
  from: number;
  to: number;
  keys?: number[];
}

/** What the page runner needs of the ledger: the page's shard (fanout/shards.ts pageShard) in a consumer. */
export interface LedgerApi {
  beginPage(ref: PageRef, sel: PageSel): Promise<PageStart>;
  gate(ref: PageRef, keys: number[], senderVersion: number, leaseMs: number, drained?: boolean): Promise<GateAnswer>;
  reportPage(report: PageReport): Promise<void>;
  releasePage(ref: PageRef): Promise<void>;
}

/** Another run of the same page is sending right now; the queue retries this one later. */
export class PageBusy extends Error {}

/** Sends marked per lease: enough to keep every send slot busy for a lease period. */
const LEASE_BATCH_PER_SLOT = 10;

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface PageResult extends PageCounts {
  status: "done" | "sent";
  /** Calls this job made to its ledger shards (begin, leases, report): bench:scale sums them. */
  ledgerCalls: number;
  /** From the job's start to its first message accepted (bench:push-latency's breakdown). */
  firstSentMs?: number;
}

/**
 * Sends one page job. `ledgers` gives its parts, each with the ledger shard that runs it
 * (fanout/shards.ts pageShards; one part unless the page crosses a key span): the parts
 * run one after another, each under its own shard's fence. Throws only on infrastructure
 * failure (the queue then retries the job; parts already reported answer "done").
 */
export async function runPage(env: Env, ledgers: (PageSlice & { ledger: LedgerApi })[], job: PageJob): Promise<PageResult> {
  if (runsWhole(job, ledgers)) return runPart(env, ledgers[0]!.ledger, job);
  const total: PageResult = { status: "done", ...NO_COUNTS, ledgerCalls: 0 };
  const planned = { pageKey: pageKeyOf(job), parts: ledgers.length };
  const started = Date.now();
  for (const { ledger, from, to, keys } of ledgers) {
    const partStart = Date.now();
    const r = await runPart(env, ledger, { ...job, from, to, ...(keys ? { keys } : {}) }, planned);
    for (const key of PAGE_COUNTS) total[key] += r[key];
    total.ledgerCalls += r.ledgerCalls;
    if (r.firstSentMs !== undefined) total.firstSentMs ??= partStart - started + r.firstSentMs;
    if (r.status === "sent") total.status = "sent";
  }
  return total;
}

async function runPart(env: Env, ledger: LedgerApi, job: PageJob, planned?: PageReport["planned"]): Promise<PageResult> {
  const ref: PageRef = { alertId: job.alertId, fanoutId: job.fanoutId, channel: job.channel, event: job.event, pageKey: pageKeyOf(job), claim: crypto.randomUUID() };
  try {
    return await sendPage(env, ledger, job, ref, planned);
  } catch (err) {
    if (!(err instanceof PageBusy)) await ledger.releasePage(ref).catch(() => undefined);
    throw err;
  }
}

async function sendPage(env: Env, ledger: LedgerApi, job: PageJob, ref: PageRef, planned: PageReport["planned"]): Promise<PageResult> {
  const pageStart = Date.now();
  let firstSentMs: number | undefined;
  const channel = channelOf(job.channel);
  const sel: PageSel = job.keys ? { keys: job.keys } : { from: job.from, to: job.to };
  const start = await ledger.beginPage(ref, sel);
  if (start.status !== "go") {
    if (start.status === "done") return { status: "done", ...NO_COUNTS, ledgerCalls: 1 };
    if (start.status === "busy") throw new PageBusy(`page ${ref.pageKey} is being sent by another run`);
    throw new Error("fan-out message not found"); // the queue retries the page
  }

  const retraction = job.event === "stop";
  let message: StoredMessage = start.message;
  const last = new Map(start.lv);
  // Marked by an earlier run that died before reporting: send again (at least once).
  const uncertain = new Set(start.uncertain);
  const have = (key: number) => (uncertain.has(key) && !retraction ? 0 : (last.get(key) ?? 0));
  /** Who gets the current message: the retraction goes to whoever may have had content. */
  const wanted = (r: ChannelRecipient) =>
    retraction ? have(r.key) > 0 : isRecipient(r, message.audience!) && have(r.key) < message.version && message.byLang[r.lang] !== undefined;

  const recipients = await channel.recipients(env, sel, optInsOf(message.audience));
  const counts: PageCounts = { ...NO_COUNTS };
  const settled: Settled<ChannelRecipient>[] = [];
  const sentVersion = new Map<number, number>();
  const retryKeys: number[] = [];
  let retryAfter = 0;

  // ---- the lease: valid until `leaseUntil`, for the keys in `marked`.
  const marked = new Set<number>();
  let leaseUntil = 0;
  // A channel whose deliveries take a while (SMTP) must finish each inside its lease.
  const deliveryMs = retraction ? 0 : (channel.limits.deliveryMs ?? 0);
  const minLeaseMs = Math.min(MAX_LEASE_MS, Math.max(SEND_LEASE_MS, 2 * deliveryMs));
  let leaseMs = minLeaseMs;
  let expired = 0;
  let leases = 0;
  let closed = false;
  let asking: Promise<void> | null = null;
  let cursor = 0; // recipients[0..cursor) were handed to a send slot
  // ---- sends in flight: counted from the lease check that let them start to their answer.
  let inFlight = 0;
  const idleWaiters: (() => void)[] = [];
  const sendDone = () => {
    if (--inFlight === 0) for (const wake of idleWaiters.splice(0)) wake();
  };
  const idle = () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r)));
  const askLease = (need: ChannelRecipient) =>
    (asking ??= (async () => {
      // Mark the sends this lease may cover: this one and the next recipients that want the message.
      const keys: number[] = [];
      if (!retraction) {
        keys.push(need.key);
        for (let i = Math.max(0, cursor - channel.limits.concurrency); i < recipients.length && keys.length < channel.limits.concurrency * LEASE_BATCH_PER_SLOT; i++) {
          const r = recipients[i]!;
          if (!marked.has(r.key) && r.key !== need.key && wanted(r)) keys.push(r.key);
        }
      }
      let asked = Date.now(); // the lease counts from before the question: never outlives the ledger's view
      leases++;
      let answer = await ledger.gate(ref, keys, message.version, leaseMs);
      const closing = answer.closing === true;
      if (closing) {
        // A stop is being committed: start nothing more; once every send in flight has its
        // answer, say so (the stop waits for that) and wait for the stop's outcome.
        leaseUntil = 0;
        await idle();
        asked = Date.now();
        leases++;
        answer = await ledger.gate(ref, keys, message.version, leaseMs, true);
      }
      // (An answer that waited for a closing command says nothing of the ledger's speed.)
      const rtt = closing ? 0 : Date.now() - asked;
      if (!answer.open) closed = true;
      else {
        if (answer.message) message = answer.message; // a newer version was published: send that one
        for (const key of keys) marked.add(key);
        leaseUntil = asked + leaseMs;
        // Expired on arrival (a slow ledger): ask for longer next time, and give the page back if it never fits.
        if (Date.now() >= leaseUntil && ++expired > 20) throw new Error("stop-fence leases keep expiring before they arrive");
      }
      leaseMs = Math.min(MAX_LEASE_MS, Math.max(minLeaseMs, 2 * rtt));
    })().finally(() => (asking = null)));
  /** false: fenced. Else the end of the lease the send starts under, counted in flight in the same turn as the check (the caller ends it with sendDone). */
  const mayStillSend = async (r: ChannelRecipient): Promise<number | false> => {
    for (;;) {
      if (closed) return false;
      const go = !wanted(r) || (Date.now() + deliveryMs < leaseUntil && (retraction || marked.has(r.key))); // not wanted any more: the caller skips it
      if (go) {
        inFlight++;
        return leaseUntil;
      }
      await askLease(r);
    }
  };

  // The channel's per-page session (an SMTP pool…): opened on the first send, closed at the end.
  let session: Promise<unknown> | undefined;
  const openSession = () => (session ??= channel.open!(env, { alertId: job.alertId, event: job.event, version: message.version }));

  await mapLimit(recipients, channel.limits.concurrency, async (r) => {
    cursor++;
    if (!wanted(r)) {
      counts.skipped++;
      return;
    }
    // The slow part that publishes nothing (a media upload) goes before the lease is asked.
    const early = message;
    const prepared =
      channel.prepare && !retraction
        ? await channel.prepare(env, r, early.byLang[r.lang], { alertId: job.alertId, event: job.event, version: early.version, attempt: job.attempt, endsAt: early.endsAt, ...(channel.open ? { session: await openSession() } : {}) })
        : undefined;
    const until = await mayStillSend(r);
    if (until === false) {
      counts.fenced++;
      return;
    }
    const m = message; // the lease may have brought a newer one: send what was checked
    if (!wanted(r)) {
      sendDone();
      counts.skipped++;
      return;
    }
    let d: Delivery;
    try {
      const ctx = {
        alertId: job.alertId,
        event: job.event,
        version: m.version,
        attempt: job.attempt,
        endsAt: m.endsAt,
        ...(deliveryMs ? { deadline: until } : {}),
        ...(prepared !== undefined && m === early ? { prepared } : {}),
      };
      d = await channel.send(env, r, m.byLang[r.lang], channel.open ? { ...ctx, session: await openSession() } : ctx);
    } catch (err) {
      log.warn("channel_send_error", { channel: job.channel, alertId: job.alertId, error: err });
      d = { outcome: "retry", afterS: backoffSeconds(job.attempt + 1) };
    } finally {
      sendDone();
    }
    if (d.outcome === "retry" && job.attempt + 1 >= channel.limits.maxAttempts) d = { outcome: "failed", detail: `gave up after ${channel.limits.maxAttempts} attempts` };
    settled.push({ recipient: r, delivery: d, sent: { event: m.event, version: m.version } });
    if (d.outcome === "sent") {
      firstSentMs ??= Date.now() - pageStart;
      counts.sent++;
      sentVersion.set(r.key, m.version);
    } else if (d.outcome === "gone") counts.pruned++;
    else if (d.outcome === "failed") {
      counts.failed++;
      log.error("channel_refused", { channel: job.channel, alertId: job.alertId, detail: d.detail });
    } else {
      retryKeys.push(r.key);
      retryAfter = Math.max(retryAfter, d.afterS);
    }
  });

  if (session) await session.then((x) => channel.close?.(x)).catch((err) => log.warn("channel_close_failed", { channel: job.channel, error: err }));
  if (settled.length) await channel.settle?.(env, settled, { alertId: job.alertId, event: job.event, version: message.version });
  if (retryKeys.length) {
    const next: PageJob = { ...job, keys: retryKeys, attempt: job.attempt + 1 };
    await channel.limits.queues(env)[0]!.send(next, { delaySeconds: retryAfter, contentType: "json" });
  }
  // Net change: this job's retries are resolved; the ones it re-queues are retrying again.
  counts.retrying = retryKeys.length - (job.attempt > 0 ? (job.keys?.length ?? 0) : 0);
  await ledger.reportPage({
    ...ref,
    firstPass: job.attempt === 0,
    ...(planned ? { planned } : {}),
    counts,
    sent: [...sentVersion],
    // Marked before sending but not sent after all: back to what they had (uncertain ones keep their mark).
    unsent: [...marked].filter((key) => !sentVersion.has(key) && !uncertain.has(key)).map((key) => [key, have(key)] as [number, number]),
  });
  return { status: "sent", ...counts, ledgerCalls: leases + 2, ...(firstSentMs !== undefined ? { firstSentMs } : {}) };
}

