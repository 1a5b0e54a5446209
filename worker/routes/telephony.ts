// The telephony provider's webhooks for the 116 000 line (issue 14), answered in TwiML
// (worker/intake/voice.ts). Configure the routing number's voice URL as
// {APP_ORIGIN}/telephony/voice and its status callback as {APP_ORIGIN}/telephony/status;
// the call-takers' phones or softphones reach {APP_ORIGIN}/telephony/agent?alert=<id>.
// Every request must carry a valid X-Twilio-Signature (the provider's auth token, secret
// TELEPHONY_AUTH_TOKEN); a replayed one (same signature again) is refused. The alert's
// Durable Object holds the line's state; a caller never hears an error: anything
// unexpected sends them to the normal 116 000 line.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { z } from "@hono/zod-openapi";
import { boardStub } from "../board/object.ts";
import { kindOf } from "../partners/feeds.ts";
import { LANGUAGES, type Language } from "../domain/index.ts";
import { log } from "../log.ts";
import { makeDb } from "../db/client.ts";
import { lineSettings } from "../db/intake-line.ts";
import { alertStub } from "../alert/api.ts";
import { validTwilioSignature } from "../intake/twiml-signature.ts";
import { ACCOUNT_SID } from "../intake/recordings.ts";
import { agentTwiml, emptyTwiml, endedTwiml, enqueueTwiml, holdTwiml, leaveTwiml, MENU_DIGITS, menuTwiml, noAlertTwiml, noticeTwiml, OBJECT_DIGIT } from "../intake/voice.ts";

type Params = Record<string, string>;
type TelEnv = { Bindings: Env; Variables: { params: Params; signature: string } };

export const telephonyRoutes = new Hono<TelEnv>();

const CallSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/);
const Query = z.object({ alert: z.uuid(), lang: z.enum(LANGUAGES).optional() });

const twiml = (c: Context<TelEnv>, xml: string) => c.body(xml, 200, { "Content-Type": "text/xml; charset=utf-8", "Cache-Control": "no-store" });
const refuse = (c: Context<TelEnv>, why: string) => c.json({ type: "about:blank", title: "The telephony webhook's signature is missing, wrong or replayed.", status: 403, code: "E_SIGNATURE", detail: why }, 403);

/** The URL the provider called, as configured there: our public origin, this path and query. */
function publicUrl(c: Context<TelEnv>): string {
  const u = new URL(c.req.url);
  return `${c.env.APP_ORIGIN}${u.pathname}${u.search}`;
}

/** Checks X-Twilio-Signature over the public URL and the form parameters. */
const signed: MiddlewareHandler<TelEnv> = async (c, next) => {
  const raw = await c.req.text();
  if (raw.length > 16_384) return c.json({ title: "too large", status: 413, code: "E_PAYLOAD_TOO_LARGE" }, 413);
  const form = new URLSearchParams(raw);
  const params: Params = {};
  for (const [k, v] of form) params[k] = v;
  const signature = c.req.header("X-Twilio-Signature") ?? "";
  if (!c.env.TELEPHONY_AUTH_TOKEN) {
    log.error("telephony_not_configured", {});
    return refuse(c, "the line is not configured (TELEPHONY_AUTH_TOKEN)");
  }
  // Signed over the URL the provider was given (APP_ORIGIN), not the one this request
  // arrived at: a proxy that changes the host or scheme must not fail every call.
  if (!(await validTwilioSignature(c.env.TELEPHONY_AUTH_TOKEN, signature, publicUrl(c), params))) return refuse(c, "bad signature");
  c.set("params", params);
  c.set("signature", signature);
  await next();
};

telephonyRoutes.use("/telephony/*", signed);

/** A caller never hears an error: the normal 116 000 line instead. */
telephonyRoutes.onError(async (err, c) => {
  log.error("telephony_failed", { path: c.req.path, error: err });
  return twiml(c, noAlertTwiml(await fallbackOf(c).catch(() => c.env.TELEPHONY_FALLBACK_NUMBER)));
});

/** The normal hotline: the admin's setting, else wrangler.toml's default. */
const fallbackOf = async (c: Context<TelEnv>) => (await lineSettings(makeDb(c.env.DB)))?.fallbackNumber ?? c.env.TELEPHONY_FALLBACK_NUMBER;

const url = (c: Context<TelEnv>, path: string, q: Record<string, string>) => `${c.env.APP_ORIGIN}${path}?${new URLSearchParams(q)}`;

/** The query and the call's id, or null (then the request is refused as malformed). */
function callOf(c: Context<TelEnv>) {
  const q = Query.safeParse(c.req.query());
  const sid = CallSid.safeParse(c.get("params").CallSid);
  return q.success && sid.success ? { alertId: q.data.alert, lang: (q.data.lang ?? "fr") as Language, sid: sid.data } : null;
}

/**
 * The alert whose line takes a call: the newest live real alert. A drill (an exercise
 * alert) never takes a call of the real line, whatever its launch time — a witness must
 * never end up in a drill's queue, purged with it. Drills are reached only through the
 * drill route (`/telephony/voice?drill=1`, the test number's voice URL).
 */
async function liveAlertId(env: Env, drill: boolean): Promise<string | null> {
  const live = (await boardStub(env).publicAlerts())
    // Issue 29: a search notice's tips come through the normal 116 000 line; the dedicated queue is a Child Alert's.
    .filter((r) => r.face === "alert" && r.exercise === drill && kindOf(r) === "child_alert")
    .sort((a, b) => b.launchedAt.localeCompare(a.launchedAt));
  return live[0]?.alertId ?? null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Answers a signed provider request once: its effects happen the first time; the
 * provider's identical retry (or a replay) gets the same answer again, never a refusal —
 * a caller is never dropped by our own checks. An empty answer is a 204.
 */
async function once(c: Context<TelEnv>, stub: ReturnType<typeof alertStub>, answer: () => Promise<string>): Promise<Response> {
  const signature = c.get("signature");
  let seen = await stub.seenRequest(signature);
  // The first is still being answered (a retry racing it): wait for its answer, briefly.
  for (let i = 0; !seen.first && seen.answer === null && i < 30; i++) {
    await sleep(100);
    seen = await stub.seenRequest(signature);
  }
  const xml = !seen.first && seen.answer !== null ? seen.answer : await answer();
  if (seen.first || seen.answer === null) await stub.answeredRequest(signature, xml);
  return xml ? twiml(c, xml) : c.body(null, 204);
}

const bad = (c: Context<TelEnv>) => c.json({ title: "The request does not match the expected shape.", status: 400, code: "E_VALIDATION" }, 400);

telephonyRoutes.post("/telephony/voice", async (c) => {
  const sid = CallSid.safeParse(c.get("params").CallSid);
  if (!sid.success) return bad(c);
  // A call to another number than the line's (when the admin set one) is not an alert call.
  const line = await lineSettings(makeDb(c.env.DB));
  const to = c.get("params").To;
  const drill = c.req.query("drill") === "1";
  const alertId = !drill && line && to && to !== line.routingNumber ? null : await liveAlertId(c.env, drill);
  if (!alertId) return twiml(c, noAlertTwiml(await fallbackOf(c)));
  const stub = alertStub(c.env, alertId);
  return once(c, stub, async () => {
    await stub.callArrived(sid.data);
    return menuTwiml(url(c, "/telephony/voice/lang", { alert: alertId }));
  });
});

telephonyRoutes.post("/telephony/voice/lang", async (c) => {
  const call = callOf(c);
  if (!call) return bad(c);
  const stub = alertStub(c.env, call.alertId);
  return once(c, stub, async () => {
    const lang = MENU_DIGITS[c.get("params").Digits ?? ""] ?? "fr";
    if (!(await stub.lineOpen())) return endedTwiml(lang, await fallbackOf(c));
    return noticeTwiml(lang, url(c, "/telephony/voice/consent", { alert: call.alertId, lang }));
  });
});

telephonyRoutes.post("/telephony/voice/consent", async (c) => {
  const call = callOf(c);
  if (!call) return bad(c);
  const stub = alertStub(c.env, call.alertId);
  return once(c, stub, async () => {
    const objected = c.get("params").Digits === OBJECT_DIGIT;
    const from = c.get("params").From ?? null;
    const account = ACCOUNT_SID.test(c.get("params").AccountSid ?? "") ? c.get("params").AccountSid! : null;
    const queued = await stub.callQueued(call.sid, call.lang, objected ? "refused" : "given", from, objected ? null : account);
    if (!queued) return endedTwiml(call.lang, await fallbackOf(c));
    const q = { alert: call.alertId, lang: call.lang };
    return enqueueTwiml(call.lang, call.alertId, objected, url(c, "/telephony/voice/wait", q), url(c, "/telephony/voice/left", q));
  });
});

/** The queue's hold loop: the position, or <Leave/> once the line closed (the stop). */
telephonyRoutes.post("/telephony/voice/wait", async (c) => {
  const call = callOf(c);
  if (!call) return bad(c);
  const stub = alertStub(c.env, call.alertId);
  return once(c, stub, async () => ((await stub.lineOpen()) ? holdTwiml(call.lang, Number(c.get("params").QueuePosition ?? "1") || 1) : leaveTwiml()));
});

/** The caller left the queue: bridged (answered), hung up (abandoned), or sent out by the stop. */
telephonyRoutes.post("/telephony/voice/left", async (c) => {
  const call = callOf(c);
  if (!call) return bad(c);
  const stub = alertStub(c.env, call.alertId);
  return once(c, stub, async () => {
    const result = c.get("params").QueueResult ?? "";
    await stub.callEnded(call.sid, result === "bridged");
    return result === "leave" ? endedTwiml(call.lang, await fallbackOf(c)) : emptyTwiml();
  });
});

/** The number's status callback: a call that ended in the menu (never queued) is counted as abandoned. */
telephonyRoutes.post("/telephony/status", async (c) => {
  const sid = CallSid.safeParse(c.get("params").CallSid);
  if (!sid.success) return bad(c);
  const status = c.get("params").CallStatus ?? "";
  if (!["completed", "busy", "failed", "no-answer", "canceled"].includes(status)) return c.body(null, 204);
  for (const r of await boardStub(c.env).publicAlerts()) {
    const stub = alertStub(c.env, r.alertId);
    if (!(await stub.call(sid.data))) continue;
    return once(c, stub, async () => {
      await stub.callEnded(sid.data, false);
      return "";
    });
  }
  return c.body(null, 204);
});

/** A call-taker's leg: bridged to the alert's queue. */
telephonyRoutes.post("/telephony/agent", async (c) => {
  const q = Query.safeParse(c.req.query());
  if (!q.success) return bad(c);
  if (!(await alertStub(c.env, q.data.alert).lineOpen())) return twiml(c, endedTwiml("fr", await fallbackOf(c)));
  return twiml(c, agentTwiml(q.data.alert));
});
