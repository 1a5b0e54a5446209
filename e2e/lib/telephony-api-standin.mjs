// A local stand-in for the telephony provider's REST API (Twilio's servers cannot run
// here), following Twilio's documented Recording resource
// (twilio.com/docs/voice/api/recording):
//   GET    /2010-04-01/Accounts/{AccountSid}/Recordings.json?CallSid=CA…   → { recordings: [{ sid, call_sid, … }], … }
//   DELETE /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}.json → 204 (404 with code 20404 if none)
// Both with HTTP Basic authentication: the account SID and its auth token. A wrong pair is
// 401 (code 20003). The recordings are the ones a <Start><Recording> made: the tests (and
// the simulated provider under `npm start`) add them with POST /__recordings {accountSid, callSid}.
// GET /__recordings lists what is held, deleted ones included (for the tests' checks).
// Used by vitest (https://telephony-api.test) and `npm start`.
import { randomBytes } from "node:crypto";

const problem = (status, code, message) => Response.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, { status });

export class TelephonyApiStandIn {
  constructor({ authToken }) {
    this.authToken = authToken;
    /** @type {{ sid: string, accountSid: string, callSid: string, deletedAt: string | null }[]} */
    this.recordings = [];
    /** Fail every API call with this status (a provider outage), or null. */
    this.failWith = null;
  }

  add(accountSid, callSid) {
    const rec = { sid: `RE${randomBytes(16).toString("hex")}`, accountSid, callSid, deletedAt: null };
    this.recordings.push(rec);
    return rec;
  }

  async handle(request) {
    const url = new URL(request.url);
    if (url.pathname === "/__recordings") {
      if (request.method === "POST") {
        const b = await request.json();
        return Response.json(this.add(b.accountSid, b.callSid), { status: 201 });
      }
      return Response.json(this.recordings);
    }
    if (url.pathname === "/__behaviour") {
      this.failWith = (await request.json()).failWith ?? null;
      return new Response(null, { status: 204 });
    }
    const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings(?:\/(RE[0-9a-f]{32}))?\.json$/.exec(url.pathname);
    if (!m) return problem(404, 20404, "The requested resource was not found");
    const [, account, recordingSid] = m;
    const [scheme, b64] = (request.headers.get("Authorization") ?? "").split(" ");
    const [user, pass] = scheme === "Basic" && b64 ? Buffer.from(b64, "base64").toString().split(":") : [];
    if (user !== account || pass !== this.authToken) return problem(401, 20003, "Authenticate");
    if (this.failWith) return problem(this.failWith, 20500, "An internal server error has occurred");
    const live = this.recordings.filter((r) => r.accountSid === account && !r.deletedAt);
    if (request.method === "GET" && !recordingSid) {
      const callSid = url.searchParams.get("CallSid");
      const list = live.filter((r) => !callSid || r.callSid === callSid);
      return Response.json({
        recordings: list.map((r) => ({ sid: r.sid, call_sid: r.callSid, account_sid: r.accountSid, status: "completed", uri: `/2010-04-01/Accounts/${account}/Recordings/${r.sid}.json` })),
        page: 0,
        page_size: 50,
        next_page_uri: null,
      });
    }
    if (request.method === "DELETE" && recordingSid) {
      const rec = live.find((r) => r.sid === recordingSid);
      if (!rec) return problem(404, 20404, "The requested resource was not found");
      rec.deletedAt = new Date().toISOString();
      return new Response(null, { status: 204 });
    }
    return problem(405, 20004, "Method not allowed");
  }
}

export async function startTelephonyApiStandIn(opts) {
  const { serveStandIn } = await import("./serve-handler.mjs");
  return serveStandIn(new TelephonyApiStandIn(opts), opts);
}
