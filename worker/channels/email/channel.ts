// E-mail behind the channel seam: messages to confirmed subscribers through the operator's
// SMTP relay (nodemailer, pooled: at most MAX_SMTP_CONNECTIONS per page job). Recipients
// are the active rows of `email_subscribers` (key = seq); a page is a seq range.
import { b64 } from "../../bytes.ts";
import { alertMail, type Mail, POSTER_CID, UNSUBSCRIBE_URL, withoutPoster } from "../../../templates/email/messages.ts";
import { backoffSeconds } from "../../config.ts";
import { makeDb } from "../../db/client.ts";
import { log } from "../../log.ts";
import { activeEmailCount, type EmailSubscriberRow, emailPage, emailPageStarts, emailSubscribersBySeq, recordEmailOutcome } from "../../db/email.ts";
import { type Language, readIn } from "../../domain/index.ts";
import { versionPoster } from "../../render/poster-sets.ts";
import { recipientOf, type Channel, type ChannelRecipient, type Delivery } from "../channel.ts";
import { bareAddress, MAX_SMTP_CONNECTIONS, requireSmtpConfig, smtpConfig, type SmtpPool, smtpTransport } from "./smtp.ts";
import { unsubscribeUrl } from "./tokens.ts";
import { buildTemplate, KEY_PLACEHOLDER, personalise, qpTolerant, TO_PLACEHOLDER, WireTemplate } from "./mime.ts";

/** Recipients per page job. */
export const PAGE_SIZE = 250;
/** The page protocol's objects for a national list of e-mail subscribers (see push's LEDGER_SHARDS). */
export const LEDGER_SHARDS = 8;
/** A relay down for minutes: keep trying (backoff up to 5 min) for about an hour. */
export const MAX_SEND_ATTEMPTS = 20;
/**
 * One SMTP transaction on an open connection takes well under a second; a message must be
 * accepted within its stop-fence lease (the stop then waits at most ~2 s longer), else the
 * page gives up on it and retries: no alert e-mail is accepted after the stop commits.
 */
export const DELIVERY_MS = 1_000;

export interface EmailRecipient extends ChannelRecipient {
  id: string;
  address: string;
}

const toRecipient = (r: EmailSubscriberRow): EmailRecipient => ({
  ...recipientOf(r),
  notices: r.notices,
  id: r.id,
  address: r.address,
});

/** A composed e-mail, with the version whose landscape poster goes inline (content events). */
export interface EmailMessage extends Mail {
  posterOf?: string;
}

export const emailQueues = (env: Env): Queue[] => [env.EMAIL_0, env.EMAIL_1, env.EMAIL_2, env.EMAIL_3].filter(Boolean);

interface Session {
  transport: SmtpPool;
  from: string;
  /** The bare address of `from`, for the SMTP envelope. */
  envelopeFrom: string;
  /** The page's messages built once each, with placeholders, in SMTP's DATA form (mime.ts). */
  templates: WeakMap<EmailMessage, Promise<WireTemplate>>;
}

/** A version's landscape poster in one language, if its set is rendered (else the e-mail goes without). */
async function landscapePoster(env: Env, alertId: string, versionId: string, lang: Language): Promise<Uint8Array | null> {
  const obj = await versionPoster(makeDb(env.DB), env.MEDIA, env.APP_ORIGIN, alertId, versionId, "landscape", lang);
  return obj ? new Uint8Array(await obj.arrayBuffer()) : null;
}

/** What the relay's refusal means: a 5xx for the address bounces it; 4xx, a lost connection or a 5xx for the message are retried or failed. */
export function classifySmtpError(err: unknown, attempt: number): Delivery {
  const e = err as { responseCode?: number; command?: string; code?: string; rejected?: unknown[] };
  const code = e.responseCode ?? 0;
  const forAddress = (e.command ?? "").startsWith("RCPT") || (Array.isArray(e.rejected) && e.rejected.length > 0);
  if (code >= 500 && forAddress) return { outcome: "gone", detail: `bounced ${code}` };
  if (code >= 500 && e.command !== "CONN" && !String(e.command ?? "").startsWith("AUTH")) return { outcome: "failed", detail: `refused ${code}` };
  return { outcome: "retry", afterS: backoffSeconds(attempt + 1), detail: code ? String(code) : (e.code ?? "connection") };
}

const UNSUBSCRIBE_PATTERN = qpTolerant(UNSUBSCRIBE_URL);

/**
 * Templates already built in this isolate, by everything that goes into one: the pages of a
 * fan-out that run here build each message once, not once per page (the build — poster from
 * storage, MIME, DATA form — costs ~25 ms of CPU). A few at a time, for minutes only (a
 * fan-out's pages run within them; a child's details do not linger in memory after); never
 * one that went without its poster because the poster was not there (the next page tries again).
 */
const BUILT_KEEP = 12;
const BUILT_FOR_MS = 10 * 60_000;
const built = new Map<string, { wire: WireTemplate; at: number }>();
const builtKey = (env: Env, s: Session, m: EmailMessage, ctx: { alertId: string; event: string; version: number }) =>
  JSON.stringify([env.APP_ORIGIN, s.from, ctx.alertId, ctx.event, ctx.version, m.lang, m.posterOf ?? null, m.subject, m.text, m.html]);

/** The page's message in one language as a MIME template: built on first use, shared by every recipient of the page. */
function template(env: Env, s: Session, message: EmailMessage, ctx: { alertId: string; event: string; version: number }): Promise<WireTemplate> {
  let t = s.templates.get(message);
  if (!t) {
    t = (async () => {
      const key = builtKey(env, s, message, ctx);
      for (const [k, b] of built) if (Date.now() - b.at > BUILT_FOR_MS) built.delete(k);
      const known = built.get(key);
      if (known) {
        built.delete(key); // most recently used last
        built.set(key, known);
        return known.wire;
      }
      const poster = message.posterOf ? await landscapePoster(env, ctx.alertId, message.posterOf, message.lang).catch(() => null) : null;
      const domain = new URL(env.APP_ORIGIN).hostname;
      const raw = await buildTemplate({
        from: s.from,
        to: TO_PLACEHOLDER,
        subject: message.subject,
        text: message.text,
        html: poster ? message.html : withoutPoster(message.html),
        attachments: poster ? [{ filename: `child-alert-${message.lang}.png`, content: b64(poster), encoding: "base64", contentType: "image/png", cid: POSTER_CID, contentDisposition: "inline" }] : [],
        // The same message id for the same recipient, event and version: a resend after an uncertain end can be recognised.
        messageId: `<${ctx.alertId}.${ctx.event}.${ctx.version}.${KEY_PLACEHOLDER}@${domain}>`,
        headers: {
          "Content-Language": message.lang,
          "X-Child-Alert": `${ctx.alertId}; event=${ctx.event}; version=${ctx.version}`,
          "Auto-Submitted": "auto-generated",
          // RFC 8058: one click unsubscribes (a POST to this URL), no confirmation page needed.
          "List-Unsubscribe": `<${UNSUBSCRIBE_URL}>`,
          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
          "List-Id": `Child Alert <alerts.${domain}>`,
        },
      });
      const wire = new WireTemplate(raw, UNSUBSCRIBE_PATTERN);
      if (poster || !message.posterOf) {
        built.set(key, { wire, at: Date.now() });
        if (built.size > BUILT_KEEP) built.delete(built.keys().next().value!);
      }
      return wire;
    })();
    // A failed build (e.g. storage hiccup) is not kept: the next recipient tries again.
    t.catch(() => s.templates.delete(message));
    s.templates.set(message, t);
  }
  return t;
}

export const email = {
  name: "email",
  label: { fr: "E-mail", nl: "E-mail", de: "E-Mail", en: "E-mail" },
  limits: { pageSize: PAGE_SIZE, concurrency: MAX_SMTP_CONNECTIONS, maxAttempts: MAX_SEND_ATTEMPTS, queues: emailQueues, deliveryMs: DELIVERY_MS, ledgerShards: LEDGER_SHARDS },

  compose(b, lang): EmailMessage {
    const c = b.content;
    const r = c && readIn(c, lang);
    const mail = alertMail({
      event: b.event,
      lang,
      exercise: b.exercise,
      notice: b.kind === "search_notice",
      alertUrl: `${b.origin}/alert/${b.alertId}?lang=${lang}`,
      endsAt: b.endsAt,
      found: b.event === "stop" ? b.stopReason?.startsWith("found") : undefined,
      text:
        c && r
          ? {
              name: r.name,
              age: c.child.age,
              lastSeenAt: c.lastSeen.at,
              place: r.place,
              description: r.description,
              clothing: r.clothing,
              vehicle: r.vehicleLine,
              accompanying: r.accompanying,
              showHotline: c.showHotline,
            }
          : undefined,
    });
    return mail.withPoster ? { ...mail, posterOf: b.versionId } : mail;
  },

  pageStarts: (env, pageSize, optIns) => emailPageStarts(makeDb(env.DB), pageSize, optIns),

  /** A relay is set (SMTP_HOST) and its settings are valid; a bad setting is logged loudly, never a blocked plan. */
  configured(env) {
    try {
      return smtpConfig(env) !== null;
    } catch (err) {
      log.error("email_relay_misconfigured", { error: err });
      return false;
    }
  },

  async recipients(env, sel, optIns) {
    const db = makeDb(env.DB);
    const rows = "keys" in sel ? await emailSubscribersBySeq(db, sel.keys) : await emailPage(db, sel.from, sel.to, optIns);
    return rows.map(toRecipient);
  },

  async open(env): Promise<Session> {
    const config = requireSmtpConfig(env);
    return { transport: smtpTransport(config), from: config.from, envelopeFrom: bareAddress(config.from), templates: new WeakMap() };
  },

  async close(session) {
    (session as Session).transport.close();
  },

  async send(env, to, message, ctx): Promise<Delivery> {
    const s = ctx.session as Session;
    const unsubscribe = await unsubscribeUrl(env, to.id);
    let raw: string | Uint8Array;
    try {
      const wire = await template(env, s, message, ctx);
      const personal = { to: to.address, key: to.key, url: { placeholder: UNSUBSCRIBE_PATTERN, value: unsubscribe } };
      // Signed messages are signed as text; else the copy goes out in DATA form as built.
      raw = s.transport.signs ? personalise(wire.raw, personal) : wire.message(personal);
    } catch (err) {
      log.warn("email_build_failed", { alertId: ctx.alertId, error: err });
      return { outcome: "retry", afterS: backoffSeconds(ctx.attempt + 1), detail: "build" };
    }
    try {
      // Past the stop-fence deadline the relay must not accept it any more: the pool drops it.
      await s.transport.send({ from: s.envelopeFrom, to: [to.address] }, raw, ctx.deadline);
      return { outcome: "sent" };
    } catch (err) {
      return classifySmtpError(err, ctx.attempt);
    }
  },

  async settle(env, outcomes) {
    const keys = (o: Delivery["outcome"]) => outcomes.filter((x) => x.delivery.outcome === o).map((x) => x.recipient.key);
    await recordEmailOutcome(makeDb(env.DB), { delivered: keys("sent"), bounced: keys("gone"), failed: keys("failed") }, new Date());
  },

  audienceSize: (env) => activeEmailCount(makeDb(env.DB)),

  /** The relay: connect, TLS and AUTH as a send does, then quit (nothing sent). */
  async health(env) {
    const config = smtpConfig(env);
    if (!config) return [];
    const relay = { target: "relay", label: `${config.host}:${config.port}` };
    const pool = smtpTransport(config, 1);
    try {
      await pool.verify();
      const how = config.security === "none" ? "plain SMTP to this machine" : config.security.toUpperCase();
      return [{ ...relay, ok: true, detail: `session opened (${how})${config.auth ? ", AUTH accepted" : ""}` }];
    } catch (err) {
      const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
      // The relay's reply (e.g. "535 5.7.8 Authentication credentials invalid"); the password never appears in it.
      const said = e.response ?? e.message ?? "error";
      const redacted = config.auth?.pass ? said.replaceAll(config.auth.pass, "***") : said;
      return [{ ...relay, ok: false, detail: `${e.code ?? "error"}${e.responseCode ? ` ${e.responseCode}` : ""}: ${redacted.slice(0, 160)}` }];
    } finally {
      pool.close();
    }
  },
} as const satisfies Channel<EmailRecipient, EmailMessage>;
