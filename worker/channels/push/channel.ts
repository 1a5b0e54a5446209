// Web push behind the channel seam: RFC 8291 messages to the browsers' push services.
// Recipients are the rows of `subscriptions` (key = seq); a page is a seq range.
import { backoffSeconds } from "../../config.ts";
import { makeDb } from "../../db/client.ts";
import { pageStartsBySeq, recordPageOutcome, subscriptionCount, subscriptionPage, subscriptionsBySeq, type SubscriptionRow } from "../../db/subscriptions.ts";
import { recipientOf, type Channel, type ChannelRecipient, type Delivery } from "../channel.ts";
import { endpointRefusal, policyFromEnv } from "./endpoints.ts";
import { encodePayload, toPushPayload } from "./payload.ts";
import { b64url, buildPushRequest, unb64url, VapidSigner } from "./webpush.ts";

/** Recipients per page: ~250 × (encrypt + send) fits well inside one consumer invocation. */
export const PAGE_SIZE = 250;
/** Simultaneous outbound requests per invocation (the Workers limit is 6 open connections). */
export const SEND_CONCURRENCY = 6;
/** The page protocol's objects for a million browsers (bench:scale-model sizes them: each under half its documented request rate). */
export const LEDGER_SHARDS = 16;
/** Attempts for a recipient that answers 429/5xx before it counts as failed. */
export const MAX_SEND_ATTEMPTS = 5;
/** A push service that does not answer within this is treated as a transient failure. */
export const SEND_TIMEOUT_MS = 10_000;
/** TTL of the retraction: long enough to replace the alert on a phone that was offline. */
export const STOP_TTL_S = 24 * 3600;

export interface PushRecipient extends ChannelRecipient {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** The push queue shards; a page goes to shard (page index mod shard count). */
export const pushQueues = (env: Env): Queue[] => [env.PUSH_0, env.PUSH_1, env.PUSH_2, env.PUSH_3].filter(Boolean);

/** Seconds to wait before retrying: the push service's Retry-After, or exponential backoff. */
export function retryDelay(retryAfter: string | null, attempt: number): number {
  const s = retryAfter ? Number(retryAfter) : NaN;
  if (Number.isFinite(s) && s >= 0) return Math.min(3600, Math.ceil(s));
  if (retryAfter && !Number.isNaN(Date.parse(retryAfter))) return Math.min(3600, Math.max(0, Math.ceil((Date.parse(retryAfter) - Date.now()) / 1000)));
  return backoffSeconds(attempt + 1);
}

let signer: VapidSigner | null = null;
/** One signer per isolate: the JWT cache lives as long as the isolate. */
export function vapidSigner(env: Env): VapidSigner {
  if (!signer || signer.publicKey !== env.VAPID_PUBLIC_KEY) {
    signer = new VapidSigner({ publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT });
  }
  return signer;
}

const toRecipient = (r: SubscriptionRow): PushRecipient => ({
  ...recipientOf(r),
  notices: r.notices,
  endpoint: r.endpoint,
  p256dh: r.p256dh,
  auth: r.auth,
});

const encoder = new TextEncoder();

/**
 * One web-push delivery (the alert channel's and the staff devices' alike): refused
 * endpoints are never contacted (no SSRF through rows stored before a policy change),
 * and the push service's answer is classified.
 */
export async function deliverPush(env: Env, to: { endpoint: string; p256dh: string; auth: string }, body: Uint8Array, o: { ttl: number; topic: string; attempt: number; timeoutMs?: number }): Promise<Delivery> {
  const refusal = endpointRefusal(to.endpoint, policyFromEnv(env));
  if (refusal) return { outcome: "gone", detail: refusal };
  try {
    const req = await buildPushRequest(to.endpoint, { p256dh: to.p256dh, auth: to.auth }, body, vapidSigner(env), { ttl: o.ttl, topic: o.topic, urgency: "high" });
    const res = await fetch(req, { signal: AbortSignal.timeout(o.timeoutMs ?? SEND_TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.status === 201 || res.status === 202 || res.status === 200) return { outcome: "sent" };
    if (res.status === 404 || res.status === 410) return { outcome: "gone", detail: String(res.status) };
    if (res.status === 429 || res.status >= 500) return { outcome: "retry", afterS: retryDelay(res.headers.get("Retry-After"), o.attempt), detail: String(res.status) };
    // 400/401/403/413: our bug or a broken subscription; retrying would not help.
    return { outcome: "failed", detail: String(res.status) };
  } catch (err) {
    return { outcome: "retry", afterS: retryDelay(null, o.attempt), detail: err instanceof Error ? err.name : "error" };
  }
}

export const push = {
  name: "push",
  label: { fr: "Notification web", nl: "Webpush", de: "Web-Push", en: "Web push" },
  limits: { pageSize: PAGE_SIZE, concurrency: SEND_CONCURRENCY, maxAttempts: MAX_SEND_ATTEMPTS, queues: pushQueues, ledgerShards: LEDGER_SHARDS, leadsLaunch: true },

  compose(b, lang) {
    const payload = toPushPayload({
      event: b.event,
      alertId: b.alertId,
      version: b.version,
      exercise: b.exercise,
      notice: b.kind === "search_notice",
      lang,
      content: b.content,
      stopReason: b.stopReason,
      origin: b.origin,
      posterUrl: b.event === "stop" ? undefined : `${b.origin}/alert/${b.alertId}/poster/push-${lang}.png`,
      endsAt: b.endsAt,
    });
    encodePayload(payload); // throws now, once, if it is over the push size limit
    return JSON.stringify(payload);
  },

  pageStarts: (env, pageSize, optIns) => pageStartsBySeq(makeDb(env.DB), pageSize, optIns),

  async recipients(env, sel, optIns) {
    const db = makeDb(env.DB);
    const rows = "keys" in sel ? await subscriptionsBySeq(db, sel.keys) : await subscriptionPage(db, sel.from, sel.to, optIns);
    return rows.map(toRecipient);
  },

  async send(env, to, message, ctx): Promise<Delivery> {
    const ttl = ctx.endsAt ? Math.max(60, Math.floor((Date.parse(ctx.endsAt) - Date.now()) / 1000)) : STOP_TTL_S;
    return deliverPush(env, to, encoder.encode(message), { ttl, topic: ctx.alertId.replace(/-/g, ""), attempt: ctx.attempt });
  },

  async settle(env, outcomes) {
    const keys = (o: Delivery["outcome"]) => outcomes.filter((x) => x.delivery.outcome === o).map((x) => x.recipient.key);
    await recordPageOutcome(makeDb(env.DB), { delivered: keys("sent"), gone: keys("gone"), failed: keys("failed") }, new Date());
  },

  audienceSize: (env) => subscriptionCount(makeDb(env.DB)),

  /**
   * The VAPID key pair and subject: a JWT signed with the private key must verify with the
   * public key browsers subscribed with (a mismatched pair is refused by every push
   * service), and the subject must be a mailto: or https: contact (RFC 8292).
   */
  async health(env) {
    const vapid = { target: "vapid", label: "VAPID" };
    if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return [{ ...vapid, ok: false, detail: "VAPID_PUBLIC_KEY or VAPID_PRIVATE_KEY is not set" }];
    if (!/^(mailto:|https:\/\/)/.test(env.VAPID_SUBJECT ?? "")) return [{ ...vapid, ok: false, detail: "VAPID_SUBJECT must be a mailto: or https: contact" }];
    try {
      const jwt = (await new VapidSigner({ publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT }).authorization("https://push.invalid")).slice("vapid t=".length).split(",")[0]!;
      const [head, claims, sig] = jwt.split(".");
      const pub = unb64url(env.VAPID_PUBLIC_KEY);
      const key = await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: b64url(pub.slice(1, 33)), y: b64url(pub.slice(33, 65)), ext: true }, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
      const ok = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, unb64url(sig!), encoder.encode(`${head}.${claims}`));
      return [{ ...vapid, ok, detail: ok ? `key pair matches; subject ${env.VAPID_SUBJECT}` : "the private key does not match the public key browsers subscribed with" }];
    } catch (err) {
      // workerd refuses a private key that is not the pair of the public one at import.
      return [{ ...vapid, ok: false, detail: `the private key does not match the public key browsers subscribed with, or is not a P-256 key (${err instanceof Error ? err.message.slice(0, 80) : "error"})` }];
    }
  },
} as const satisfies Channel<PushRecipient, string>;
