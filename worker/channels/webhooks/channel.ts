// Partners' webhooks behind the channel seam (issue 13): events alert.launched,
// alert.updated and alert.stopped, POSTed as JSON and signed per Standard Webhooks. A
// recipient is a partner with a live webhook (key = partners.seq), in its primary
// language, regions and exercise opt-in. Rule 13: a partner in a country without
// adequate protection gets only "a Child Alert is in progress, see <public page>".
// Every delivery is logged for the admin; a 410 or WEBHOOK_DISABLE_AFTER failures in a
// row switch the webhook off, and the operators are told (an inbox notice and its e-mail,
// an audit entry, an error log line).
import { openWebhookSecret } from "./secrets.ts";
import { backoffSeconds } from "../../config.ts";
import { commit, makeDb } from "../../db/client.ts";
import { signBody } from "../../publication/sign.ts";
import { type PartnerRow, recordWebhookOutcomes, webhookCount, webhookPage, webhookPageStarts, webhooksBySeq, webhooksWithLastDelivery } from "../../db/partners.ts";
import { mayReceivePersonalData, whoIsInformed } from "../../domain/index.ts";
import { noticeStmt } from "../../db/notices.ts";
import { log } from "../../log.ts";
import { alertItem, hotlineFields, inProgressItem } from "../../../templates/partner-item.ts";
import { callLine, CATALOGUES } from "../../../templates/i18n/index.ts";
import { recipientOf, type BroadcastEvent, type Channel, type ChannelRecipient, type Delivery } from "../channel.ts";
import { retryDelay } from "../push/channel.ts";
import { signWebhook } from "./signing.ts";
import { targetPolicy, webhookTargetRefusal } from "./targets.ts";

export const WEBHOOK_PAGE_SIZE = 100;
export const WEBHOOK_CONCURRENCY = 6;
export const WEBHOOK_MAX_ATTEMPTS = 8;
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Failed deliveries in a row (each counted once per page) after which a webhook is switched off. */
export const WEBHOOK_DISABLE_AFTER = 10;

export const WEBHOOK_EVENT: Record<BroadcastEvent, string> = { alert: "alert.launched", update: "alert.updated", stop: "alert.stopped" };

export interface WebhookRecipient extends ChannelRecipient {
  partnerId: string;
  url: string;
  secret: string;
  country: string;
}

/** The message of one broadcast in one language: the data for an adequate partner, and for the others. */
export interface WebhookMessage {
  type: string;
  /** webhook-id: the same for every retry of this event to this partner (receivers drop duplicates). */
  eventId: string;
  version: number;
  full: Record<string, unknown>;
  minimal: Record<string, unknown>;
}

const toRecipient = async (env: Env, p: PartnerRow): Promise<WebhookRecipient> => ({
  ...recipientOf(p),
  takes: p.kinds,
  partnerId: p.id,
  url: p.webhookUrl!,
  secret: await openWebhookSecret(env, p.id, p.webhookSecret!),
  country: p.country,
});

export const webhooks = {
  name: "webhooks",
  label: { fr: "Webhooks partenaires", nl: "Partnerwebhooks", de: "Partner-Webhooks", en: "Partner webhooks" },
  limits: { pageSize: WEBHOOK_PAGE_SIZE, concurrency: WEBHOOK_CONCURRENCY, maxAttempts: WEBHOOK_MAX_ATTEMPTS, queues: (env: Env) => [env.WEBHOOKS] },

  compose(b, lang): WebhookMessage {
    const url = `${b.origin}/alert/${b.alertId}?lang=${lang}`;
    const base = { id: b.alertId, version: b.version, exercise: b.exercise, url };
    const type = WEBHOOK_EVENT[b.event];
    const eventId = `${b.alertId}.${b.event}.v${b.version}`;
    if (b.event === "stop") {
      const outcome = b.stopReason === "found_safe" ? "found" : "ended";
      // Rule 8: the line stays open after the stop — both numbers, in the partner's language.
      const stop = { ...base, outcome, message: outcome === "found" ? CATALOGUES[lang].foundBody : CATALOGUES[lang].endedBody, ...hotlineFields(true), call: callLine(CATALOGUES[lang]) };
      return { type, eventId, version: b.version, full: stop, minimal: stop };
    }
    const item = alertItem({ alertId: b.alertId, kind: b.kind ?? "child_alert", exercise: b.exercise, version: b.version, launchedAt: "", updatedAt: "", endsAt: b.endsAt, content: b.content!, face: "alert" }, b.origin);
    const { launchedAt: _l, updatedAt: _u, ...full } = item;
    return { type, eventId, version: b.version, full: { ...full, endsAt: b.endsAt, language: lang }, minimal: { ...inProgressItem({ alertId: b.alertId, exercise: b.exercise, endsAt: b.endsAt }, b.origin, lang, b.content!.showHotline), version: b.version } };
  },

  pageStarts: (env, pageSize) => webhookPageStarts(makeDb(env.DB), pageSize),

  async recipients(env, sel) {
    const db = makeDb(env.DB);
    const rows = "keys" in sel ? await webhooksBySeq(db, sel.keys) : await webhookPage(db, sel.from, sel.to);
    return Promise.all(rows.map((r) => toRecipient(env, r)));
  },

  async send(env, to, m, ctx): Promise<Delivery> {
    const refusal = webhookTargetRefusal(to.url, targetPolicy(env));
    if (refusal) return { outcome: "gone", detail: refusal };
    // Rule 13, decided here for each partner, whatever the message holds.
    const data = mayReceivePersonalData(to.country) ? m.full : m.minimal;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: m.type, timestamp: new Date(timestamp * 1000).toISOString(), data });
    // Issue 28: anyone holding the body can check it is ours with the public keys (the HMAC proves only the shared secret).
    const publication = await signBody(env, body);
    try {
      const res = await fetch(to.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Child-Alert-Webhooks/1",
          ...(await signWebhook(to.secret, m.eventId, timestamp, body)),
          ...(publication ? { "Child-Alert-Signature": publication } : {}),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { outcome: "sent" };
      // Standard Webhooks: 410 means "stop sending to this endpoint".
      if (res.status === 410) return { outcome: "gone", detail: "410" };
      if (res.status === 429 || res.status >= 500 || res.status === 408) return { outcome: "retry", afterS: retryDelay(res.headers.get("Retry-After"), ctx.attempt), detail: String(res.status) };
      return { outcome: "failed", detail: String(res.status) };
    } catch (err) {
      return { outcome: "retry", afterS: backoffSeconds(ctx.attempt + 1), detail: err instanceof Error ? err.name : "error" };
    }
  },

  async settle(env, outcomes, page) {
    const db = makeDb(env.DB);
    const now = new Date();
    const records = outcomes.map((o) => {
      const detail = "detail" in o.delivery ? (o.delivery.detail ?? null) : null;
      return {
        partnerId: o.recipient.partnerId,
        alertId: page.alertId,
        // What this partner was actually sent (a retry sends the newest message, not the page's first).
        type: WEBHOOK_EVENT[o.sent.event],
        version: o.sent.version,
        outcome: o.delivery.outcome,
        status: o.delivery.outcome === "sent" ? 200 : detail && /^\d{3}$/.test(detail) ? Number(detail) : null,
        detail,
      };
    });
    const disabled = await recordWebhookOutcomes(db, records, WEBHOOK_DISABLE_AFTER, now);
    if (disabled.length) {
      // The operators are told: an error line for the monitoring, and an audit entry the dashboard shows.
      log.error("webhook_disabled", { partners: disabled.length, alertId: page.alertId });
      // …and an inbox notice (and its e-mail) for the operators, once per partner switched off.
      const notices = disabled.map((partnerId) => noticeStmt(db, page.alertId, "partner_webhook_off", whoIsInformed("partner_webhook_off"), partnerId, now));
      await commit(db, notices, disabled.map((partnerId) => ({ actorUserId: null, actorRole: null, action: "partner_webhook_disabled", alertId: page.alertId, details: { partnerId } })), now);
      await env.FANOUT.send({ type: "mail_notices", alertId: page.alertId }).catch(() => undefined); // the cron asks again if this fails
    }
  },

  configured: () => true,
  audienceSize: (env) => webhookCount(makeDb(env.DB)),

  /** Each partner's webhook by its last delivery (nothing is sent to check: a partner's endpoint takes alerts only). */
  async health(env) {
    const rows = await webhooksWithLastDelivery(makeDb(env.DB));
    return rows.map((p) => {
      const base = { target: p.id, label: p.name };
      if (p.disabledAt) return { ...base, ok: false, detail: `switched off ${p.disabledAt} after ${p.failures} failed deliveries` };
      if (!p.at) return { ...base, ok: true, detail: "no delivery yet" };
      const last = `last delivery ${p.outcome}${p.status ? ` (${p.status})` : ""} at ${p.at}`;
      return { ...base, ok: p.outcome === "sent", detail: last };
    });
  },
} as const satisfies Channel<WebhookRecipient, WebhookMessage>;
