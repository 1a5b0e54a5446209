// A simulated telephony provider for the 116 000 line: it calls our TwiML webhooks as
// Twilio does (form-encoded POST, X-Twilio-Signature computed by the official `twilio`
// package), follows the <Gather>/<Redirect>/<Enqueue> answers and reports what the
// caller heard. Used by `npm run demo`, the browser tests and bench:intake (no real
// telephone network can run here).
import { randomBytes } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import twilio from "twilio";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false, parseAttributeValue: false });
const DIGIT = { fr: "1", nl: "2", de: "3", en: "4" };

/**
 * `recordingsApi`: the provider's REST API stand-in (e2e/lib/telephony-api-standin.mjs),
 * told of each recording a <Start><Recording> starts, as the real provider would hold it.
 */
export function telephonyProvider(origin, authToken, { recordingsApi } = {}) {
  const post = async (pathOrUrl, params) => {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${origin}${pathOrUrl}`;
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": twilio.getExpectedTwilioSignature(authToken, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${url} → ${res.status}: ${text.slice(0, 200)}`);
    return text ? parser.parse(text).Response ?? {} : {};
  };
  const base = (sid, from, extra = {}) => ({ AccountSid: `AC${"0".repeat(32)}`, CallSid: sid, From: from, To: "+3227000000", CallStatus: "in-progress", ...extra });
  return {
    /**
     * A caller dials the line, picks a language, hears the recording notice (objects or not)
     * and waits in the queue. `drill`: the drills' test number (its voice URL has ?drill=1),
     * the only way to reach an exercise alert; the real line reaches only real alerts.
     */
    async call({ lang = "en", from = "+32470000000", object = false, drill = false } = {}) {
      const sid = `CA${randomBytes(16).toString("hex")}`;
      const menu = await post(drill ? "/telephony/voice?drill=1" : "/telephony/voice", base(sid, from, { CallStatus: "ringing" }));
      if (!menu.Gather) return { sid, queued: false, heard: JSON.stringify(menu) };
      const notice = await post(menu.Gather["@action"], base(sid, from, { Digits: DIGIT[lang] }));
      if (!notice.Gather) return { sid, queued: false, heard: JSON.stringify(notice) };
      const queued = await post(notice.Gather["@action"], base(sid, from, object ? { Digits: "9" } : {}));
      if (!queued.Enqueue) return { sid, queued: false, heard: JSON.stringify(queued) };
      if (queued.Start?.Recording !== undefined && recordingsApi) {
        await fetch(`${recordingsApi}/__recordings`, { method: "POST", body: JSON.stringify({ accountSid: base(sid, from).AccountSid, callSid: sid }) });
      }
      const hold = await post(queued.Enqueue["@waitUrl"], base(sid, from, { QueuePosition: "1", QueueTime: "0" }));
      return { sid, queued: true, recorded: !!queued.Start, waitUrl: queued.Enqueue["@waitUrl"], leftUrl: queued.Enqueue["@action"], heard: hold.Say?.["#text"] ?? "" };
    },
    /** The caller leaves the queue: bridged to a call-taker, or hung up. */
    async left(call, result) {
      return post(call.leftUrl, base(call.sid, "+32470000000", { QueueResult: result, QueueTime: "5" }));
    },
    post,
  };
}
