// The 116 000 line through the provider's webhooks (issue 14): every request signed as the
// official `twilio` package signs it (https://twilio.test runs it in Node), the TwiML
// answers well-formed and following the line's state (open, closed after the stop), the
// alert's object keeping the queue in step; forged, unsigned and replayed requests refused.
import { env, exports } from "cloudflare:workers";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { alertStub } from "../alert/api.ts";
import { api, as, authorisedAlert, expectOk, liveAlert, liveNotice, makeContent, makeTeam, ORIGIN, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const TOKEN = "test-telephony-auth-token";
const sid = () => `CA${crypto.randomUUID().replace(/-/g, "")}`;

/** What Twilio would send: form parameters, signed by the official library. */
async function provider(pathAndQuery: string, params: Record<string, string>, opts: { signature?: string | null; token?: string } = {}) {
  const url = pathAndQuery.startsWith("http") ? pathAndQuery : `${ORIGIN}${pathAndQuery}`;
  const signature =
    opts.signature !== undefined
      ? opts.signature
      : ((await (await fetch("https://twilio.test/sign", { method: "POST", body: JSON.stringify({ authToken: opts.token ?? TOKEN, url, params }) })).json()) as { signature: string }).signature;
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (signature !== null) headers["X-Twilio-Signature"] = signature;
  const res = await exports.default.fetch(new Request(url, { method: "POST", headers, body: new URLSearchParams(params).toString() }));
  const text = await res.text();
  return { status: res.status, text, signature, xml: res.headers.get("Content-Type")?.startsWith("text/xml") ? parse(text) : null };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", parseTagValue: false, parseAttributeValue: false });
function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml).Response as Record<string, any>;
}

const base = (callSid: string, extra: Record<string, string> = {}) => ({ AccountSid: `AC${"0".repeat(32)}`, CallSid: callSid, From: "+32470111222", To: "+3227000000", CallStatus: "in-progress", ...extra });

describe("the 116 000 line (TwiML)", () => {
  it("a call goes through the menu, the recording notice and into the alert's queue; a call-taker takes it", async () => {
    const id = await liveAlert(t);
    const call = sid();
    const entry = await provider("/telephony/voice", base(call, { CallStatus: "ringing" }));
    expect(entry.status).toBe(200);
    const gather = entry.xml!.Gather;
    expect(gather["@numDigits"]).toBe("1");
    expect(gather["@action"]).toBe(`${ORIGIN}/telephony/voice/lang?alert=${id}`);
    expect(gather.Say.map((s: any) => s["@language"])).toEqual(["fr-BE", "nl-BE", "de-DE", "en-GB"]);

    const lang = await provider(gather["@action"], base(call, { Digits: "2" }));
    expect(lang.xml!.Gather.Say["#text"]).toContain("opgenomen");
    const consentUrl = lang.xml!.Gather["@action"];
    expect(consentUrl).toBe(`${ORIGIN}/telephony/voice/consent?alert=${id}&lang=nl`);

    const queued = await provider(consentUrl, base(call)); // no key: no objection
    expect(queued.xml!.Start.Recording).toBeDefined();
    expect(queued.xml!.Enqueue["#text"]).toBe(`child-alert-${id}`);
    const waitUrl = queued.xml!.Enqueue["@waitUrl"];
    const hold = await provider(waitUrl, base(call, { QueuePosition: "1", QueueTime: "3" }));
    expect(hold.xml!.Say["#text"]).toContain("nummer 1");

    const q = expectOk(await api("GET", `/alerts/${id}/intake`, undefined, as(t.operator))).body;
    expect(q.open).toBe(true);
    expect(q.queue).toEqual([expect.objectContaining({ sid: call, lang: "nl", recording: "given", status: "waiting" })]);
    expect(JSON.stringify(q)).not.toContain("+32470111222"); // no number on the dashboards
    const taken = expectOk(await api("POST", `/alerts/${id}/calls/next`, undefined, as(t.calltaker))).body.call;
    expect(taken).toMatchObject({ sid: call, status: "taken", from: "+32470111222" });
    // The call-taker's leg dials the same queue.
    const agent = await provider(`/telephony/agent?alert=${id}`, base(sid()));
    expect(agent.xml!.Dial.Queue).toBe(`child-alert-${id}`);
    await provider(queued.xml!.Enqueue["@action"], base(call, { QueueResult: "bridged", QueueTime: "12" }));
    const m = expectOk(await api("GET", `/alerts/${id}/intake`, undefined, as(t.operator))).body.metrics;
    expect(m.calls).toEqual({ calls: 1, answered: 1, abandoned: 0, waiting: 0 });
    // The tip of that call, recorded against it.
    expectOk(await api("POST", `/alerts/${id}/tips`, { callSid: call, text: "Saw the van at a petrol station", recording: "given", anonymous: false, contact: { phone: "+32470111222" } }, as(t.calltaker)), 201);
  });

  it("issue 29: a live search notice opens no queue of its own — its callers use the normal 116 000 line; a Child Alert's call still reaches the Child Alert", async () => {
    const notice = await liveNotice(t);
    const entry = await provider("/telephony/voice", base(sid(), { CallStatus: "ringing" }));
    expect(entry.text).not.toContain(notice);
    const id = await liveAlert(t);
    const again = await provider("/telephony/voice", base(sid(), { CallStatus: "ringing" }));
    expect(again.xml!.Gather["@action"]).toBe(`${ORIGIN}/telephony/voice/lang?alert=${id}`);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    expectOk(await api("POST", `/alerts/${notice}/stop`, { reason: "found_safe" }, as(t.operator)));
  });

  it("a caller who objects is not recorded and their number is not kept; one who hangs up while waiting is abandoned", async () => {
    const id = await liveAlert(t);
    const call = sid();
    await provider("/telephony/voice", base(call));
    const q = { alert: id, lang: "de" };
    const objected = await provider(`/telephony/voice/consent?${new URLSearchParams(q)}`, base(call, { Digits: "9" }));
    expect(objected.xml!.Start).toBeUndefined();
    expect(objected.xml!.Say["#text"]).toContain("nicht aufgezeichnet");
    expect((await alertStub(env, id).call(call))).toMatchObject({ recording: "refused", from: null, status: "waiting" });
    await provider(objected.xml!.Enqueue["@action"], base(call, { QueueResult: "hangup" }));
    // A call that hung up in the menu: the status callback counts it.
    const menuOnly = sid();
    await provider("/telephony/voice", base(menuOnly));
    expect((await provider("/telephony/status", base(menuOnly, { CallStatus: "completed" }))).status).toBe(204);
    const m = expectOk(await api("GET", `/alerts/${id}/intake`, undefined, as(t.cell))).body.metrics;
    expect(m.calls).toEqual({ calls: 2, answered: 0, abandoned: 2, waiting: 0 });
  });

  it("the stop closes the line: waiting callers leave the queue, hear that it ended and reach the normal line; new calls too", async () => {
    const id = await liveAlert(t);
    const call = sid();
    await provider("/telephony/voice", base(call));
    const queued = await provider(`/telephony/voice/consent?alert=${id}&lang=en`, base(call));
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const wait = await provider(queued.xml!.Enqueue["@waitUrl"], base(call, { QueuePosition: "1" }));
    expect(wait.xml!).toHaveProperty("Leave");
    const left = await provider(queued.xml!.Enqueue["@action"], base(call, { QueueResult: "leave" }));
    expect(left.xml!.Say["#text"]).toContain("The alert has ended");
    expect(String(left.xml!.Dial)).toBe(env.TELEPHONY_FALLBACK_NUMBER);
    // A menu answer after the stop, and a new call when no alert is live (if none other is).
    const late = await provider(`/telephony/voice/lang?alert=${id}`, base(sid(), { Digits: "4" }));
    expect(late.xml!.Say["#text"]).toContain("The alert has ended");
    const consentAfter = await provider(`/telephony/voice/consent?alert=${id}&lang=fr`, base(sid()));
    expect(consentAfter.xml!.Say["#text"]).toContain("L'alerte est terminée");
  });

  it("refuses unsigned, forged, wrongly keyed and replayed requests; malformed ones get 400", async () => {
    await liveAlert(t);
    const call = sid();
    expect((await provider("/telephony/voice", base(call), { signature: null })).status).toBe(403);
    expect((await provider("/telephony/voice", base(call), { signature: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" })).status).toBe(403);
    expect((await provider("/telephony/voice", base(call), { token: "another-account-token" })).status).toBe(403);
    const first = await provider("/telephony/voice", base(call));
    expect(first.status).toBe(200);
    // The same signed request again (a provider's retry, or a replay) gets the same answer
    // and changes nothing (issue 23: our own checks never drop a real caller).
    const replay = await provider("/telephony/voice", base(call), { signature: first.signature });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    // A signature computed for other parameters does not cover changed ones.
    const other = await provider("/telephony/voice", base(sid()), { signature: first.signature });
    expect(other.status).toBe(403);
    expect((await provider("/telephony/voice", base("not-a-call-sid"))).status).toBe(400);
  });

  it("the admin sets the line: a call to another number is not an alert call; callers are put through to the admin's hotline", async () => {
    const id = await liveAlert(t);
    expect((await api("PUT", "/admin/intake-line", { provider: "twilio", routingNumber: "32 2 700", fallbackNumber: "+3227000116" }, as(t.admin))).status).toBe(400);
    expect((await api("PUT", "/admin/intake-line", { provider: "twilio", routingNumber: "+3227000000", fallbackNumber: "+3225551212" }, as(t.operator))).status).toBe(403);
    const line = expectOk(await api("PUT", "/admin/intake-line", { provider: "signalwire", routingNumber: "+3227000000", fallbackNumber: "+3225551212" }, as(t.admin))).body;
    expect(line).toMatchObject({ configured: true, provider: "signalwire", tokenSet: true, webhooks: { voice: `${ORIGIN}/telephony/voice` } });
    const other = await provider("/telephony/voice", base(sid(), { To: "+3229999999" }));
    expect(String(other.xml!.Dial)).toBe("+3225551212");
    const call = sid();
    const menu = await provider("/telephony/voice", base(call));
    expect(menu.xml!.Gather["@action"]).toContain(id);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const ended = await provider(`/telephony/voice/consent?alert=${id}&lang=en`, base(call));
    expect(String(ended.xml!.Dial)).toBe("+3225551212");
  });
});

describe("a drill never takes a real call (issue 23)", () => {
  const launchDrill = async () => {
    const id = await authorisedAlert(t, makeContent(), true);
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    return id;
  };
  const alertOf = (answer: Awaited<ReturnType<typeof provider>>) => new URL(answer.xml!.Gather["@action"]).searchParams.get("alert");

  it("a call while a real alert and a newer drill are live reaches the real alert; the drill only through its own route, marked as an exercise", async () => {
    const real = await liveAlert(t);
    const drill = await launchDrill(); // launched after the real one: the newest live alert
    const witness = sid();
    expect(alertOf(await provider("/telephony/voice", base(witness)))).toBe(real);
    expect((await alertStub(env, real).call(witness))?.sid).toBe(witness);
    expect(await alertStub(env, drill).call(witness)).toBeNull();
    // The drill's own route (the test number's voice URL) reaches the drill.
    const rehearsal = sid();
    expect(alertOf(await provider("/telephony/voice?drill=1", base(rehearsal)))).toBe(drill);
    // The call-takers' console shows which alert is an exercise.
    const consoleAlerts = expectOk(await api("GET", "/intake/alerts", undefined, as(t.calltaker))).body.alerts as { alertId: string; exercise: boolean }[];
    expect(consoleAlerts.find((a) => a.alertId === drill)?.exercise).toBe(true);
    expect(consoleAlerts.find((a) => a.alertId === real)?.exercise).toBe(false);
    // No real alert live (this file's earlier ones stopped too): the real line goes to the normal 116 000, never to the drill.
    const stillLive = (await env.DB.prepare("SELECT id FROM alerts WHERE state = 'live' AND exercise = 0").all<{ id: string }>()).results;
    for (const a of stillLive) expectOk(await api("POST", `/alerts/${a.id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const later = await provider("/telephony/voice", base(sid()));
    expect(later.xml!.Gather).toBeUndefined();
    expect(String(later.xml!.Dial)).toMatch(/^\+32/); // the normal hotline (the admin's setting or the default)
    expectOk(await api("POST", `/alerts/${drill}/stop`, { reason: "found_safe" }, as(t.cell)));
  });

  it("the signature is checked against the public URL the provider was given, whatever host or scheme a proxy passes on", async () => {
    const id = await liveAlert(t);
    const call = sid();
    const params = base(call);
    const signature = ((await (await fetch("https://twilio.test/sign", { method: "POST", body: JSON.stringify({ authToken: TOKEN, url: `${ORIGIN}/telephony/voice`, params }) })).json()) as { signature: string }).signature;
    const res = await exports.default.fetch(
      new Request("https://worker-internal.example:8443/telephony/voice", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature }, body: new URLSearchParams(params).toString() }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`alert=${id}`);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });

  it("a provider's identical retry of each step gets the same answer, and the call is counted once", async () => {
    const id = await liveAlert(t);
    const call = sid();
    const entry = await provider("/telephony/voice", base(call));
    expect((await provider("/telephony/voice", base(call), { signature: entry.signature })).text).toBe(entry.text);
    const consent = `/telephony/voice/consent?alert=${id}&lang=fr`;
    const queued = await provider(consent, base(call));
    const again = await provider(consent, base(call), { signature: queued.signature });
    expect(again.status).toBe(200);
    expect(again.text).toBe(queued.text);
    const m = expectOk(await api("GET", `/alerts/${id}/intake`, undefined, as(t.operator))).body.metrics;
    expect(m.calls).toEqual({ calls: 1, answered: 0, abandoned: 0, waiting: 1 });
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });
});
