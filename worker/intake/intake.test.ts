// The 116 000 intake from outside (issue 14): web tips (Turnstile through its documented
// test keys' stand-in, per-source limits), tips forwarded live to who may read them,
// acknowledgement, escalation through the alert object's alarm, call-takers' records and
// claims, access, and the purge.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { alertStub } from "../alert/api.ts";
import { api, as, createAlert, expectOk, liveAlert, makeStaff, makeTeam, ORIGIN, type Staff, standin, type Team } from "../test/helpers.ts";
import type { TipClock } from "./desk.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";
const tip = (over: Record<string, unknown> = {}) => ({
  text: "I saw a girl in a yellow raincoat get into a white van",
  seenWhere: "Namur station",
  seenAt: "today around 14:00",
  anonymous: false,
  contact: { phone: "+32 470 12 34 56" },
  turnstileToken: DUMMY_TOKEN,
  ...over,
});

async function connect(who: Staff, alertId: string) {
  const res = await exports.default.fetch(new Request(`${ORIGIN}/api/v1/alerts/${alertId}/live`, { headers: { Upgrade: "websocket", Cookie: who.cookie, Origin: ORIGIN } }));
  const messages: any[] = [];
  const ws = res.webSocket!;
  ws.accept();
  ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
  const until = async (pred: (m: any) => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!messages.some(pred)) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
    return messages.find(pred);
  };
  await until((m) => m.type === "hello");
  return { ws, messages, until };
}

const sql = <T>(q: string, ...args: unknown[]) => env.DB.prepare(q).bind(...args).all<T>().then((r) => r.results);

describe("web tips", () => {
  it("a citizen's tip reaches the case's investigators and the cell live; the others see counts only", async () => {
    const id = await liveAlert(t);
    const [inv, cell, op] = await Promise.all([connect(t.investigator, id), connect(t.cell, id), connect(t.operator, id)]);
    const res = expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ clientRef: crypto.randomUUID() })), 201);
    const got = await inv.until((m) => m.type === "tip");
    expect(got.tip).toMatchObject({ id: res.body.id, source: "web", text: tip().text, contact: { phone: "+32 470 12 34 56" }, escalation: 0 });
    expect(got.tip.forwardedAt).toBeTruthy();
    await cell.until((m) => m.type === "tip" && m.tip.id === res.body.id);
    await op.until((m) => m.type === "intake");
    expect(JSON.stringify(op.messages)).not.toContain("yellow raincoat");
    // Stored, forwarded, with its written confirmation (a notice for the investigators; no content in it).
    const [row] = await sql<{ forwarded_at: string; text: string }>("SELECT forwarded_at, text FROM tips WHERE id = ?", res.body.id);
    expect(row!.forwarded_at).toBeTruthy();
    const notices = await sql<{ recipient_role: string; event: string }>("SELECT recipient_role, event FROM notifications WHERE alert_id = ? AND event LIKE 'tip%'", id);
    expect(notices).toEqual([{ recipient_role: "investigator", event: "tip_received" }]);
    for (const s of [inv, cell, op]) s.ws.close(1000);
  });

  it("the same form sent twice is one tip; bad input gets field errors; Turnstile is checked server-side", async () => {
    const id = await liveAlert(t);
    const clientRef = crypto.randomUUID();
    const a = expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ clientRef })), 201);
    const b = expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ clientRef })), 201);
    expect(b.body).toMatchObject({ id: a.body.id, duplicate: true });
    expect((await sql("SELECT id FROM tips WHERE alert_id = ?", id)).length).toBe(1);

    const anonWithContact = await api("POST", `/alerts/${id}/tips/web`, tip({ anonymous: true }));
    expect(anonWithContact.status).toBe(400);
    expect(anonWithContact.body.errors).toEqual([{ path: "contact", message: "an anonymous tip carries no contact details" }]);
    const noContact = await api("POST", `/alerts/${id}/tips/web`, tip({ contact: undefined }));
    expect(noContact.status).toBe(400);
    expect((await api("POST", `/alerts/${id}/tips/web`, tip({ text: "x\u0007y" }))).status).toBe(400);

    const noToken = await api("POST", `/alerts/${id}/tips/web`, tip({ turnstileToken: undefined }));
    expect(noToken.status).toBe(403);
    expect(noToken.body.code).toBe("E_CHALLENGE_FAILED");
    const forged = await api("POST", `/alerts/${id}/tips/web`, tip({ turnstileToken: "forged.token" }));
    expect(forged.status).toBe(403);
    expect((await sql("SELECT id FROM tips WHERE alert_id = ?", id)).length).toBe(1); // nothing written by a refusal

    // Anonymous is fine without contact details.
    expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ anonymous: true, contact: undefined })), 201);
  });

  it("a flood from one source is throttled while tips from other sources get through", async () => {
    const id = await liveAlert(t);
    const flood = [];
    for (let i = 0; i < 12; i++) flood.push(await api("POST", `/alerts/${id}/tips/web`, tip({ text: `flood ${i} lorem ipsum` }), { ip: "203.0.113.9" }));
    const statuses = flood.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBe(5);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(flood[5]!.headers.get("Retry-After")).toBe("60");
    expect(flood[5]!.body.detail).toContain("your text is kept");
    for (let i = 0; i < 3; i++) expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ text: `legit ${i} from elsewhere` }), { ip: `198.51.100.${i + 1}` }), 201);
  });

  it("takes no tips before the launch; still takes them after the stop (they reach the investigators)", async () => {
    const draft = await createAlert(t.cell);
    expect((await api("POST", `/alerts/${draft}/tips/web`, tip())).status).toBe(409);
    const id = await liveAlert(t);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const inv = await connect(t.investigator, id);
    expectOk(await api("POST", `/alerts/${id}/tips/web`, tip()), 201);
    await inv.until((m) => m.type === "tip");
    inv.ws.close(1000);
  });
});

describe("acknowledgement and escalation", () => {
  /** Makes every tip clock of the alert due now, then fires the object's alarm. */
  async function clocksDue(id: string) {
    const stub = alertStub(env, id);
    await runInDurableObject(stub as unknown as DurableObjectStub, async (_o, state) => {
      const clocks = await state.storage.list<TipClock>({ prefix: "tipclock:" });
      for (const [k, c] of clocks) await state.storage.put(k, { ...c, due: new Date(Date.now() - 1000).toISOString() });
    });
    // The object's alarm is armed for its earliest clock: run it now.
    expect(await runDurableObjectAlarm(stub as unknown as DurableObjectStub)).toBe(true);
  }

  it("an unacknowledged tip goes to the cell, then to the magistrate and the operator; an acknowledged one stops", async () => {
    const id = await liveAlert(t);
    const cellFeed = await connect(t.cell, id);
    const slow = expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ text: "slow one, nobody reads it" })), 201).body.id;
    const quick = expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ text: "quick one, acknowledged" })), 201).body.id;
    const acked = expectOk(await api("POST", `/alerts/${id}/tips/${quick}/ack`, undefined, as(t.investigator))).body.tip;
    expect(acked.ackedAt).toBeTruthy();
    expect(acked.ackedBy).toBe(t.investigator.userId);

    await clocksDue(id);
    await cellFeed.until((m) => m.type === "tip_escalated" && m.tipId === slow && m.level === 1);
    let rows = await sql<{ id: string; escalation: number }>("SELECT id, escalation FROM tips WHERE alert_id = ? ORDER BY id", id);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.escalation]))).toEqual({ [slow]: 1, [quick]: 0 });
    expect(await sql("SELECT recipient_role FROM notifications WHERE alert_id = ? AND event = 'tip_unacknowledged'", id)).toEqual([{ recipient_role: "cell" }]);

    await clocksDue(id);
    rows = await sql("SELECT id, escalation FROM tips WHERE id = ?", slow);
    expect(rows[0]!.escalation).toBe(2);
    const roles = (await sql<{ recipient_role: string }>("SELECT recipient_role FROM notifications WHERE alert_id = ? AND event = 'tip_unacknowledged'", id)).map((r) => r.recipient_role).sort();
    expect(roles).toEqual(["cell", "magistrate", "operator"]);
    const audit = await sql<{ action: string; details: string }>("SELECT action, details FROM audit_entries WHERE alert_id = ? AND action LIKE 'tip_%' ORDER BY seq", id);
    expect(audit.map((a) => a.action)).toEqual(["tip_acknowledged", "tip_escalated", "tip_escalated"]);
    // At the top: the clock is gone; acknowledging now still records it.
    await clocksDue(id);
    expect((await sql("SELECT escalation FROM tips WHERE id = ?", slow))[0]).toEqual({ escalation: 2 });
    expectOk(await api("POST", `/alerts/${id}/tips/${slow}/ack`, undefined, as(t.cell)));
    const judged = expectOk(await api("POST", `/alerts/${id}/tips/${slow}/useful`, { useful: true }, as(t.investigator))).body.tip;
    expect(judged).toMatchObject({ useful: true, ackedBy: t.cell.userId });
    const m = expectOk(await api("GET", `/alerts/${id}/intake`, undefined, as(t.operator))).body.metrics;
    expect(m.tips).toMatchObject({ total: 2, web: 2, acknowledged: 2, useful: 1, escalated: 1 });
    expect(m.toForwardMs.median).toBeGreaterThanOrEqual(0);
    cellFeed.ws.close(1000);
  });
});

describe("call-takers", () => {
  it("record a call's tip under the rules of rule 10; see only their own tips and the published content", async () => {
    const id = await liveAlert(t);
    const other = await makeStaff("calltaker");
    const base = { text: "Caller saw the van on the E411 near Wavre", urgent: true, recording: "given" };
    const noAssessment = await api("POST", `/alerts/${id}/tips`, { ...base, anonymous: true }, as(t.calltaker));
    expect(noAssessment.status).toBe(422);
    expect(noAssessment.body.detail).toContain("assessment");
    const refusedButNamed = await api("POST", `/alerts/${id}/tips`, { ...base, recording: "refused", anonymous: false, contact: { name: "Jan" } }, as(t.calltaker));
    expect(refusedButNamed.status).toBe(422);
    const rec = expectOk(await api("POST", `/alerts/${id}/tips`, { ...base, anonymous: true, assessment: "plausible" }, as(t.calltaker)), 201).body.tip;
    expect(rec).toMatchObject({ source: "call", urgent: true, assessment: "plausible", takenBy: t.calltaker.userId });
    // Urgent: the investigators and the cell are told (the phone call's written confirmation).
    expect((await sql<{ recipient_role: string }>("SELECT recipient_role FROM notifications WHERE alert_id = ? AND event = 'tip_urgent' ORDER BY recipient_role", id)).map((r) => r.recipient_role)).toEqual(["cell", "investigator"]);

    expectOk(await api("POST", `/alerts/${id}/tips/web`, tip()), 201);
    expect(expectOk(await api("GET", `/alerts/${id}/tips`, undefined, as(t.calltaker))).body.tips.map((x: any) => x.id)).toEqual([rec.id]);
    expect(expectOk(await api("GET", `/alerts/${id}/tips`, undefined, as(other))).body.tips).toEqual([]);
    expect(expectOk(await api("GET", `/alerts/${id}/tips`, undefined, as(t.investigator))).body.tips).toHaveLength(2);
    for (const who of [t.operator, t.magistrate, t.counsellor, t.admin]) expect((await api("GET", `/alerts/${id}/tips`, undefined, as(who))).status).toBe(403);
    // Call-takers do not read the file (drafts, sign-offs…): only the console's published content.
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.calltaker))).status).toBe(403);
    const consoleView = expectOk(await api("GET", "/intake/alerts", undefined, as(t.calltaker))).body.alerts.find((a: any) => a.alertId === id);
    expect(consoleView).toMatchObject({ open: true, state: "live" });
    expect(consoleView.content.child).toMatchObject({ firstName: "Lina", lastName: "Exemple" });
    expect(JSON.stringify(consoleView)).not.toMatch(/signOffs|objection/i);
  });

  it("two call-takers claiming the same call: one wins", async () => {
    const id = await liveAlert(t);
    const stub = alertStub(env, id);
    const sid = `CA${"a".repeat(32)}`;
    await stub.callArrived(sid);
    await stub.callQueued(sid, "nl", "given", "+32470000001");
    const other = await makeStaff("calltaker");
    const [a, b] = await Promise.all([api("POST", `/alerts/${id}/calls/${sid}/take`, undefined, as(t.calltaker)), api("POST", `/alerts/${id}/calls/${sid}/take`, undefined, as(other))]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    expect(winner.body.call).toMatchObject({ sid, lang: "nl", status: "taken", from: "+32470000001" });
    expect((await api("POST", `/alerts/${id}/calls/next`, undefined, as(other))).status).toBe(404);
  });
});

describe("purge", () => {
  it("leaves no tip text, place, contact, photo or caller number; the figures stay", async () => {
    const id = await liveAlert(t);
    expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ contact: { phone: "+32 470 99 88 77", email: "a@example.test", name: "Ann" } })), 201);
    const stub = alertStub(env, id);
    const sid = `CA${"b".repeat(32)}`;
    await stub.callArrived(sid);
    await stub.callQueued(sid, "fr", "given", "+32470999999");
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await env.DB.prepare("UPDATE alerts SET purge_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), id).run();
    await stub.tick(id);
    const rows = await sql<Record<string, unknown>>("SELECT * FROM tips WHERE alert_id = ?", id);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/raincoat|Namur|\+32 470|Ann|example\.test/);
    expect(rows[0]).toMatchObject({ source: "web", anonymous: 0 });
    expect(await stub.call(sid)).toBeNull(); // no number, and no CallSid either (issue 23)
    const m = (await stub.intakeMetrics(id)) as { tips: { total: number }; calls: { calls: number } };
    expect(m.tips.total).toBe(1);
    expect(m.calls.calls).toBe(1);
  });

  const PROVIDER = "https://telephony-api.test";
  const recordings = async () => (await (await fetch(`${PROVIDER}/__recordings`)).json()) as { sid: string; callSid: string; deletedAt: string | null }[];
  const recordCall = async (accountSid: string, callSid: string) =>
    (await (await fetch(`${PROVIDER}/__recordings`, { method: "POST", body: JSON.stringify({ accountSid, callSid }) })).json()) as { sid: string };
  const purgeNow = async (id: string) => {
    await env.DB.prepare("UPDATE alerts SET purge_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), id).run();
    await alertStub(env, id).tick(id);
  };

  it("deletes the calls' recordings at the provider (its REST API) and keeps no CallSid, in the desk or the tips (issue 23)", async () => {
    const id = await liveAlert(t);
    const other = await liveAlert(t);
    const stub = alertStub(env, id);
    const account = `AC${"1".repeat(32)}`;
    const [recorded, objected, elsewhere] = [`CA${"c".repeat(32)}`, `CA${"d".repeat(32)}`, `CA${"e".repeat(32)}`];
    await stub.callArrived(recorded);
    await stub.callQueued(recorded, "nl", "given", "+32470111111", account);
    await stub.callArrived(objected);
    await stub.callQueued(objected, "fr", "refused", null, null);
    await alertStub(env, other).callArrived(elsewhere);
    await alertStub(env, other).callQueued(elsewhere, "fr", "given", "+32470222222", account);
    const [mine, theirs] = [await recordCall(account, recorded), await recordCall(account, elsewhere)];
    // The call-taker takes the call and records its tip, against the call.
    expectOk(await api("POST", `/alerts/${id}/calls/next`, undefined, as(t.calltaker)));
    expectOk(await api("POST", `/alerts/${id}/tips`, { callSid: recorded, text: "Saw the grey car at the station", recording: "given", anonymous: false, contact: { phone: "+32470111111" } }, as(t.calltaker)), 201);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await purgeNow(id);
    const held = await recordings();
    expect(held.find((r) => r.sid === mine.sid)?.deletedAt).not.toBeNull();
    expect(held.find((r) => r.sid === theirs.sid)?.deletedAt).toBeNull(); // another alert's call is not touched
    expect(await stub.recordingsLeft()).toBe(0);
    for (const sid of [recorded, objected]) expect(await stub.call(sid)).toBeNull();
    expect(await sql("SELECT call_sid FROM tips WHERE alert_id = ? AND call_sid IS NOT NULL", id)).toEqual([]);
  });

  it("a provider down at the purge: the recording is deleted by a later alarm, nothing of it kept but the task", async () => {
    const id = await liveAlert(t);
    const stub = alertStub(env, id);
    const account = `AC${"2".repeat(32)}`;
    const call = `CA${"f".repeat(32)}`;
    await stub.callArrived(call);
    await stub.callQueued(call, "de", "given", "+32470333333", account);
    const rec = await recordCall(account, call);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await fetch(`${PROVIDER}/__behaviour`, { method: "POST", body: JSON.stringify({ failWith: 503 }) });
    try {
      await purgeNow(id);
      expect(await stub.recordingsLeft()).toBe(1);
      expect(await stub.call(call)).toBeNull();
    } finally {
      await fetch(`${PROVIDER}/__behaviour`, { method: "POST", body: JSON.stringify({ failWith: null }) });
    }
    // The retry is due a minute later: bring it forward, and let the alarm run.
    await runInDurableObject(stub, async (_o, state) => {
      for (const [key, task] of await state.storage.list<{ due: string }>({ prefix: "recdel:" })) await state.storage.put(key, { ...task, due: new Date(Date.now() - 1).toISOString() });
    });
    await runDurableObjectAlarm(stub);
    expect(await stub.recordingsLeft()).toBe(0);
    expect((await recordings()).find((r) => r.sid === rec.sid)?.deletedAt).not.toBeNull();
  });
});

describe("the public tip form (no JavaScript of ours)", () => {
  const post = async (id: string, fields: Record<string, string | Blob>, ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    const res = await exports.default.fetch(new Request(`${ORIGIN}/alert/${id}/tip?lang=nl`, { method: "POST", body, headers: { "CF-Connecting-IP": ip } }));
    return { status: res.status, html: await res.text(), csp: res.headers.get("Content-Security-Policy") ?? "" };
  };

  it("is on the live alert page with the challenge; a tip sent through it arrives; a refusal gives the text back", async () => {
    const id = await liveAlert(t);
    const pageRes = await exports.default.fetch(new Request(`${ORIGIN}/alert/${id}?lang=nl`));
    const html = await pageRes.text();
    expect(html).toContain(`action="/alert/${id}/tip?lang=nl"`);
    expect(html).toContain('class="cf-turnstile"');
    expect(pageRes.headers.get("Content-Security-Policy")).toContain("script-src 'self' https://turnstile.test");

    const ok = await post(id, { text: "Gezien aan het station van Leuven", seenWhere: "Leuven", anonymous: "1", "cf-turnstile-response": DUMMY_TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.html).toContain("Bedankt. Uw informatie is aangekomen.");
    // Sent twice (a double click): one tip.
    await post(id, { text: "Gezien aan het station van Leuven", seenWhere: "Leuven", anonymous: "1", "cf-turnstile-response": DUMMY_TOKEN }, "10.200.0.1");
    await post(id, { text: "Gezien aan het station van Leuven", seenWhere: "Leuven", anonymous: "1", "cf-turnstile-response": DUMMY_TOKEN }, "10.200.0.1");
    expect((await sql("SELECT id FROM tips WHERE alert_id = ?", id)).length).toBe(2);

    const failed = await post(id, { text: "Mijn tekst blijft bewaard", anonymous: "1", "cf-turnstile-response": "bad" });
    expect(failed.status).toBe(403);
    expect(failed.html).toContain("Mijn tekst blijft bewaard</textarea>");
    const invalid = await post(id, { text: "Zonder contact en niet anoniem", phone: "", "cf-turnstile-response": DUMMY_TOKEN });
    expect(invalid.status).toBe(400);
    expect(invalid.html).toContain('aria-invalid="true"');
    expect(invalid.html).toContain("Zonder contact en niet anoniem</textarea>");
  });

  it("takes a photo checked and re-encoded like the alert's photos; refuses a file that is not one", async () => {
    const id = await liveAlert(t);
    const { fixture } = await import("../test/fixtures.ts");
    const jpeg = fixture("photo-exif.jpg");
    const ok = await post(id, { text: "Photo of the van", anonymous: "1", "cf-turnstile-response": DUMMY_TOKEN, photo: new File([jpeg], "van.jpg", { type: "image/jpeg" }) });
    expect(ok.status).toBe(200);
    const tips = expectOk(await api("GET", `/alerts/${id}/tips`, undefined, as(t.investigator))).body.tips;
    expect(tips[0].photoUrl).toBe(`/api/v1/alerts/${id}/tips/${tips[0].id}/photo`);
    const img = await exports.default.fetch(new Request(`${ORIGIN}${tips[0].photoUrl}`, { headers: { Cookie: t.investigator.cookie } }));
    expect(img.headers.get("Content-Type")).toBe("image/jpeg");
    expect((await api("GET", tips[0].photoUrl.replace("/api/v1", ""), undefined, as(t.operator))).status).toBe(403);
    const bad = await post(id, { text: "Not a photo", anonymous: "1", "cf-turnstile-response": DUMMY_TOKEN, photo: new File([fixture("not-an-image.jpg")], "x.jpg", { type: "image/jpeg" }) });
    expect(bad.status).toBe(422);
    expect(bad.html).toContain("Not a photo</textarea>");
  });
});

describe("staff devices woken by a tip (web push)", () => {
  it("the case's investigator and the cell get a push that says a tip came in, never what it says", async () => {
    const id = await liveAlert(t);
    const [inv, cell, op] = await Promise.all([standin.subscribe(), standin.subscribe(), standin.subscribe()]);
    const sub = (s: { endpoint: string; keys: unknown }) => ({ subscription: { endpoint: s.endpoint, keys: s.keys } });
    expect(expectOk(await api("POST", "/me/tip-push", sub(inv), as(t.investigator)), 201).body.devices).toBe(1);
    expectOk(await api("POST", "/me/tip-push", sub(cell), as(t.cell)), 201);
    // The operator's device may be woken too (a channel that stalls, issue 27), never by a tip.
    expectOk(await api("POST", "/me/tip-push", sub(op), as(t.operator)), 201);
    expect((await api("POST", "/me/tip-push", sub(op), as(t.magistrate))).status).toBe(403);
    expect((await api("POST", "/me/tip-push", { subscription: { endpoint: "https://10.0.0.1/push", keys: (inv as { keys: unknown }).keys } }, as(t.investigator))).status).toBe(422);

    const tipId = expectOk(await api("POST", `/alerts/${id}/tips/web`, tip({ text: "Secret detail: the van's sticker" })), 201).body.id;
    const got = async (who: { id: string }) => {
      for (let i = 0; i < 100; i++) {
        const m = (await standin.received(who.id)).filter((x) => (x.payload as { tag?: string }).tag === `tip:${tipId}`);
        if (m.length) return m;
        await new Promise((r) => setTimeout(r, 50));
      }
      return [];
    };
    const [mine] = await got(inv);
    expect(mine!.payload).toMatchObject({ v: 1, type: "staff", url: `${ORIGIN}/alerts/${id}` });
    expect(JSON.stringify(mine!.payload)).not.toContain("sticker");
    expect(await got(cell)).toHaveLength(1);
    expect(await standin.received(op.id)).toEqual([]);
    expect(expectOk(await api("DELETE", "/me/tip-push", { endpoint: inv.endpoint }, as(t.investigator))).body.devices).toBe(0);
  });
});
