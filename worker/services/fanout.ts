// The fan-out engine (web push today; every channel will page the same way).
// Launch/update/stop → one `push_fanout` job → the planner cuts the subscriptions into
// pages (seq ranges, so a million recipients cost one query to plan) and spreads page
// jobs over the push queue shards → each page job sends with bounded concurrency, asks
// the alert's Durable Object before every send whether content may still go out (the
// stop fence), classifies results, retries what is retryable, and reports aggregate
// counts to the Durable Object. D1 gets at most three writes per page.
import { toPushPayload, encodePayload, type PushEvent } from "../channels/push/payload.ts";
import { buildPushRequest, VapidSigner } from "../channels/push/webpush.ts";
import { endpointRefusal, policyFromEnv } from "../channels/push/endpoints.ts";
import { type Db, makeDb } from "../db/client.ts";
import { loadSnapshot, versionOf } from "../db/alerts.ts";
import { channelEnabled } from "../db/settings.ts";
import { maxSeq, recordPageOutcome, subscriptionPage, subscriptionsBySeq, type SubscriptionRow } from "../db/subscriptions.ts";
import { type Audience, isRecipient, publishableContent } from "../domain/index.ts";
import type { FanoutMessage, PageReport } from "../durable/alert-object.ts";
import { log } from "../log.ts";
import { alertStub } from "./alerts.ts";

/** Recipients per page: ~250 × (encrypt + send) fits well inside one consumer invocation. */
export const PAGE_SIZE = 250;
/** Simultaneous outbound requests per invocation (the Workers limit is 6 open connections). */
export const SEND_CONCURRENCY = 6;
/** Attempts for a recipient that answers 429/5xx before it counts as failed. */
export const MAX_SEND_ATTEMPTS = 5;
/** A push service that does not answer within this is treated as a transient failure. */
export const SEND_TIMEOUT_MS = 10_000;
/**
 * How long one "yes" of the stop fence is valid for a sender. A closing command waits
 * this long after closing the fence before it commits. 200 ms: a few Durable Object
 * calls per page instead of one per send, and the stop still commits within ~0.3 s.
 */
export const SEND_LEASE_MS = 200;
/** TTL of the retraction: long enough to replace the alert on a phone that was offline. */
export const STOP_TTL_S = 24 * 3600;

export interface FanoutJob {
  type: "push_fanout";
  alertId: string;
  fanoutId: string;
  event: PushEvent;
  versionId: string;
  stopReason?: string;
}

export interface PageJob {
  type: "push_page";
  alertId: string;
  fanoutId: string;
  event: PushEvent;
  versionId: string;
  stopReason?: string;
  from: number;
  to: number;
  /** For retries: only these recipients of the page. */
  seqs?: number[];
  attempt: number;
}

/** The push queue shards; a page goes to shard (page index mod shard count). */
export function pushQueues(env: Env): Queue[] {
  return [env.PUSH_0, env.PUSH_1, env.PUSH_2, env.PUSH_3].filter(Boolean);
}

const pageKey = (j: Pick<PageJob, "from" | "to" | "attempt">) => `${j.from}-${j.to}${j.attempt ? `#r${j.attempt}` : ""}`;

/** The message of a fan-out, built once: audience and the encoded payload per language. */
async function prepareMessage(env: Env, db: Db, job: FanoutJob): Promise<FanoutMessage> {
  const { row: alert, snapshot } = await loadSnapshot(db, job.alertId);
  const version = await versionOf(db, job.alertId, job.versionId);
  if (!version?.content) throw new Error("fan-out of a version without content");
  const publishable = publishableContent(snapshot, version)!;
  const { regions, languages } = version.content.targeting;
  const payloads: Record<string, string> = {};
  for (const lang of languages) {
    const payload = toPushPayload({
      event: job.event,
      alertId: job.alertId,
      exercise: alert.exercise,
      lang,
      content: publishable,
      stopReason: job.stopReason,
      origin: env.APP_ORIGIN,
      posterUrl: job.event === "stop" ? undefined : `${env.APP_ORIGIN}/alert/${job.alertId}/poster/push-${lang}.png`,
      endsAt: alert.endsAt,
    });
    encodePayload(payload); // throws now, once, if it is over the push size limit
    payloads[lang] = JSON.stringify(payload);
  }
  return {
    audience: { regions: [...regions], languages: [...languages], exercise: alert.exercise },
    payloads,
    endsAt: job.event === "stop" ? null : alert.endsAt,
  };
}

export async function planFanout(env: Env, job: FanoutJob): Promise<{ pages: number }> {
  const db = makeDb(env.DB);
  const stub = alertStub(env, job.alertId);
  const message = await prepareMessage(env, db, job);
  let ranges: [number, number][];
  // The admin may switch the channel off (audited): new content stops going out on it, but
  // a retraction always reaches whoever got the alert (rule 12).
  const switchedOff = job.event !== "stop" && !(await channelEnabled(db, "push"));
  if (switchedOff) {
    ranges = [];
  } else if (job.event === "stop") {
    // Retractions go to the pages whose recipients got the content.
    ranges = (await stub.deliveredPages()).map((k) => k.split("-").map(Number) as [number, number]);
  } else {
    const max = await maxSeq(db);
    ranges = [];
    for (let from = 1; from <= max; from += PAGE_SIZE) ranges.push([from, from + PAGE_SIZE]);
  }
  await stub.fanoutStarted({
    fanoutId: job.fanoutId,
    channel: "push",
    event: job.event,
    versionId: job.versionId,
    startedAt: new Date().toISOString(),
    pagesPlanned: ranges.length,
    ...(switchedOff ? { switchedOff: true } : {}),
  }, message);
  const queues = pushQueues(env);
  const { type: _t, ...rest } = job;
  const pages: PageJob[] = ranges.map(([from, to]) => ({ ...rest, type: "push_page", from, to, attempt: 0 }));
  for (let s = 0; s < queues.length; s++) {
    const mine = pages.filter((_, i) => i % queues.length === s);
    for (let i = 0; i < mine.length; i += 100) await queues[s]!.sendBatch(mine.slice(i, i + 100).map((body) => ({ body, contentType: "json" })));
  }
  return { pages: pages.length };
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Seconds to wait before retrying: the push service's Retry-After, or exponential backoff. */
export function retryDelay(retryAfter: string | null, attempt: number): number {
  const s = retryAfter ? Number(retryAfter) : NaN;
  if (Number.isFinite(s) && s >= 0) return Math.min(3600, Math.ceil(s));
  if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) return Math.min(3600, Math.max(0, Math.ceil((Date.parse(retryAfter) - Date.now()) / 1000)));
  return Math.min(300, 2 ** (attempt + 1));
}

type Outcome = "sent" | "gone" | "retry" | "failed" | "fenced";

/** Sends one page. Returns counts; throws only on infrastructure failure (the queue then retries the page). */
export async function runPage(env: Env, job: PageJob, vapid: VapidSigner, fetcher: typeof fetch = fetch): Promise<PageReport> {
  const stub = alertStub(env, job.alertId);
  const key = pageKey(job);
  const { done, message } = await stub.beginPage(job.fanoutId, key);
  if (done) return { sent: 0, failed: 0, pruned: 0, retrying: 0, fenced: 0, skipped: 0 };
  if (!message) throw new Error("fan-out message not found"); // the queue retries the page

  const db = makeDb(env.DB);
  const rows = job.seqs ? await subscriptionsBySeq(db, job.seqs) : await subscriptionPage(db, job.from, job.to);
  const audience = message.audience as Audience;
  const policy = policyFromEnv(env);
  const recipients = rows.filter((r) => isRecipient({ regions: JSON.parse(r.regions), lang: r.lang, exercise: r.exercise }, audience));
  const skipped = rows.length - recipients.length;
  const payloads = new Map(Object.entries(message.payloads).map(([lang, json]) => [lang, new TextEncoder().encode(json)]));
  const ttl = message.endsAt ? Math.max(60, Math.floor((Date.parse(message.endsAt) - Date.now()) / 1000)) : STOP_TTL_S;
  const topic = job.alertId.replace(/-/g, "");

  const outcomes = new Map<number, Outcome>();
  let retryAfter = 0;
  let fenceClosed = false;
  let leaseUntil = 0;
  let pendingLease: Promise<boolean> | null = null;
  /** The stop fence, before every send: a valid lease, or a fresh one from the alert's Durable Object. */
  const mayStillSend = async (): Promise<boolean> => {
    if (fenceClosed) return false;
    if (Date.now() < leaseUntil) return true;
    pendingLease ??= (async () => {
      const asked = Date.now(); // the lease counts from before the question: never outlives the Durable Object's view
      const ok = await stub.gate(job.event, `${job.from}-${job.to}`);
      if (ok) leaseUntil = asked + SEND_LEASE_MS;
      else fenceClosed = true;
      pendingLease = null;
      return ok;
    })();
    return pendingLease;
  };
  await mapLimit(recipients, SEND_CONCURRENCY, async (sub: SubscriptionRow) => {
    if (!(await mayStillSend())) {
      outcomes.set(sub.seq, "fenced");
      return;
    }
    if (endpointRefusal(sub.endpoint, policy)) {
      outcomes.set(sub.seq, "gone"); // stored before a policy change: never contacted, pruned
      return;
    }
    try {
      const req = await buildPushRequest(sub.endpoint, { p256dh: sub.p256dh, auth: sub.auth }, payloads.get(sub.lang)!, vapid, {
        ttl,
        topic,
        urgency: "high",
      });
      const res = await fetcher(req, { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) } as RequestInit);
      await res.body?.cancel();
      if (res.status === 201 || res.status === 202 || res.status === 200) outcomes.set(sub.seq, "sent");
      else if (res.status === 404 || res.status === 410) outcomes.set(sub.seq, "gone");
      else if (res.status === 429 || res.status >= 500) {
        outcomes.set(sub.seq, "retry");
        retryAfter = Math.max(retryAfter, retryDelay(res.headers.get("Retry-After"), job.attempt));
      } else {
        // 400/401/403/413: our bug or a broken subscription; retrying would not help.
        log.error("push_rejected", { alertId: job.alertId, status: res.status });
        outcomes.set(sub.seq, "failed");
      }
    } catch (err) {
      log.warn("push_send_error", { alertId: job.alertId, error: err });
      outcomes.set(sub.seq, "retry");
      retryAfter = Math.max(retryAfter, retryDelay(null, job.attempt));
    }
  });

  const by = (o: Outcome) => [...outcomes].filter(([, v]) => v === o).map(([k]) => k);
  const sent = by("sent");
  const gone = by("gone");
  const failed = by("failed");
  let retry = by("retry");
  let failedRetries = 0;
  if (retry.length && job.attempt + 1 >= MAX_SEND_ATTEMPTS) {
    failedRetries = retry.length;
    retry = [];
  }
  await recordPageOutcome(db, { delivered: sent, gone, failed: [...failed, ...(failedRetries ? by("retry") : [])] }, new Date());
  if (retry.length) {
    const next: PageJob = { ...job, seqs: retry, attempt: job.attempt + 1 };
    await pushQueues(env)[0]!.send(next, { delaySeconds: retryAfter, contentType: "json" });
  }
  const report: PageReport = {
    sent: sent.length,
    failed: failed.length + failedRetries,
    pruned: gone.length,
    // Net change: this job's retries are resolved; the ones it re-queues are retrying again.
    retrying: retry.length - (job.attempt > 0 ? (job.seqs?.length ?? 0) : 0),
    fenced: by("fenced").length,
    skipped,
  };
  // A page counts as done once, at its first pass; retries of its stragglers only move counters.
  await stub.reportPage(job.fanoutId, key, report, job.attempt === 0);
  return report;
}

let signer: VapidSigner | null = null;
/** One signer per isolate: the JWT cache lives as long as the isolate. */
export function vapidSigner(env: Env): VapidSigner {
  if (!signer || signer.publicKey !== env.VAPID_PUBLIC_KEY) {
    signer = new VapidSigner({ publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT });
  }
  return signer;
}
