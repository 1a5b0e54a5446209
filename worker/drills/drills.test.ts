// Drills (issue 27): "Run a drill" creates an exercise alert with a fictional child; put
// through the whole path, its scorecard times every step — sign-offs, authorisation,
// launch, each channel's first delivery and 50/99/100 %, the first tip forwarded and
// acknowledged, the stop, each channel's withdrawal — against the admin's targets, and is
// kept (no child data) once withdrawn everywhere.
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, citizen, DECISION, expectOk, makeTeam, nameCase, settledFanouts, signOff, standin, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

type Card = {
  complete: boolean;
  steps: { key: string; at: string | null }[];
  channels: { channel: string; delivered: number; first: string | null; p50: string | null; p99: string | null; p100: string | null; withdrawn: string | null }[];
  targets: { key: string; targetMs: number; actualMs: number | null; pass: boolean | null }[];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a drill and its scorecard", () => {
  it("every step timed against the targets; kept without child data once withdrawn everywhere", { timeout: 90_000 }, async () => {
    const browsers = await Promise.all([citizen({ exercise: true }), citizen({ exercise: true }), citizen({ exercise: true })]);
    const notDrilled = await citizen(); // no exercise opt-in: never gets a drill
    const { alertId: id } = expectOk(await api("POST", "/drills", undefined, as(t.operator)), 201).body;
    const detail = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(detail.exercise).toBe(true);
    expect(detail.file.pvNumber).toMatch(/^EXERCICE-/);

    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    for (const [who, kind] of [[t.investigator, "investigator"], [t.cell, "cell"], [t.operator, "operator"]] as const) expectOk(await signOff(who, id, kind));
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Drill." }, as(t.counsellor)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    // The cell takes a breath before launching: the authorisation → first push target is set under it.
    await sleep(400);
    expectOk(await api("PUT", "/drills/targets", { authorisation_to_first_push: 300 }, as(t.admin)));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    await settledFanouts(id, ["alert"], as(t.cell));
    for (const b of browsers) expect(await standin.received(b.id)).toHaveLength(1);
    expect(await standin.received(notDrilled.id)).toHaveLength(0);

    // A tip, forwarded to the investigator and acknowledged.
    const tip = expectOk(await api("POST", `/alerts/${id}/tips`, { text: "Drill tip: seen near the station", urgent: false, recording: "given", anonymous: true, assessment: "plausible" }, as(t.calltaker)), 201).body.tip;
    expectOk(await api("POST", `/alerts/${id}/tips/${tip.id}/ack`, undefined, as(t.investigator)));

    let card = expectOk(await api("GET", `/drills/${id}`, undefined, as(t.magistrate))).body as Card;
    expect(card.complete).toBe(false);
    const first = card.targets.find((x) => x.key === "authorisation_to_first_push")!;
    expect(first.actualMs).toBeGreaterThanOrEqual(400);
    expect(first).toMatchObject({ targetMs: 300, pass: false });
    expectOk(await api("PUT", "/drills/targets", { authorisation_to_first_push: 60_000 }, as(t.admin)));
    card = expectOk(await api("GET", `/drills/${id}`, undefined, as(t.magistrate))).body as Card;
    expect(card.targets.find((x) => x.key === "authorisation_to_first_push")).toMatchObject({ targetMs: 60_000, pass: true });

    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await settledFanouts(id, ["alert", "stop"], as(t.cell));
    for (let i = 0; i < 50 && !card.complete; i++) {
      await sleep(100);
      card = expectOk(await api("GET", `/drills/${id}`, undefined, as(t.operator))).body as Card;
    }
    expect(card.complete).toBe(true);
    // Every step of the path has its time, in order.
    const at = Object.fromEntries(card.steps.map((s) => [s.key, s.at]));
    const order = ["created", "signoff_investigator", "signoff_cell", "signoff_operator", "consent", "authorised", "launched", "tip_received", "tip_forwarded", "tip_acknowledged", "stopped"];
    for (const k of order) expect(at[k], k).not.toBeNull();
    for (let i = 1; i < order.length; i++) expect(Date.parse(at[order[i]!]!), `${order[i - 1]} before ${order[i]}`).toBeGreaterThanOrEqual(Date.parse(at[order[i - 1]!]!));
    // Web push: the three drilled browsers, first → 50 % → 99 % → 100 %, then withdrawn after the stop.
    const push = card.channels.find((c) => c.channel === "push")!;
    expect(push.delivered).toBe(3);
    const times = [push.first, push.p50, push.p99, push.p100].map((x) => Date.parse(x!));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(at.launched!));
    expect(Date.parse(push.withdrawn!)).toBeGreaterThanOrEqual(Date.parse(at.stopped!));
    const withdrawal = card.targets.find((x) => x.key === "stop_to_withdrawn_everywhere")!;
    expect(withdrawal.actualMs).toBe(Date.parse(push.withdrawn!) - Date.parse(at.stopped!));
    expect(withdrawal.pass).toBe(withdrawal.actualMs! <= withdrawal.targetMs);
    expect(card.targets.find((x) => x.key === "tip_to_investigator")!.actualMs).toBe(Date.parse(at.tip_forwarded!) - Date.parse(at.tip_received!));

    // Kept as it is: a new target changes nothing on it; the history lists it; no child data in it.
    expectOk(await api("PUT", "/drills/targets", { authorisation_to_first_push: 300 }, as(t.admin)));
    const kept = expectOk(await api("GET", `/drills/${id}`, undefined, as(t.cell))).body as Card;
    expect(kept.targets.find((x) => x.key === "authorisation_to_first_push")!.targetMs).toBe(60_000);
    const history = expectOk(await api("GET", "/drills", undefined, as(t.admin))).body;
    expect(history.history.map((h: { alertId: string }) => h.alertId)).toContain(id);
    expect(history.targets.authorisation_to_first_push).toBe(300);
    const text = JSON.stringify(kept);
    for (const word of ["Exercice", "Oefening", "EXERCICE-", "anorak", "Drill tip"]) expect(text).not.toContain(word);
  });

  it("only the cell and the operator run one; the admin alone sets targets; a real alert has no scorecard", async () => {
    for (const who of [t.investigator, t.magistrate, t.admin, t.calltaker]) expect((await api("POST", "/drills", undefined, as(who))).status).toBe(403);
    for (const who of [t.cell, t.operator, t.magistrate]) expect((await api("PUT", "/drills/targets", { tip_to_investigator: 1000 }, as(who))).status).toBe(403);
    expect((await api("PUT", "/drills/targets", { tip_to_investigator: 5 }, as(t.admin))).status).toBe(400);
    expect((await api("PUT", "/drills/targets", { nonsense: 5000 }, as(t.admin))).status).toBe(400);
    expect((await api("GET", "/drills", undefined, as(t.calltaker))).status).toBe(403);
    const { createAlert } = await import("../test/helpers.ts");
    const real = await createAlert(t.cell);
    expect((await api("GET", `/drills/${real}`, undefined, as(t.cell))).status).toBe(404);
  });
});

describe("drill seats: a stolen drill team runs drills and nothing else", () => {
  it("for a drill seat a real alert does not exist: not listed, read, signed, stopped, named on, or told of", { timeout: 90_000 }, async () => {
    const { createAlert, makeContent, makeStaff, liveAlert, ORIGIN, FILE } = await import("../test/helpers.ts");
    const { env, exports } = await import("cloudflare:workers");
    const { smtp } = await import("../test/standins/email.ts");
    const { mailNotices } = await import("../staff/notices.ts");
    const seat = Object.fromEntries(
      await Promise.all((["cell", "investigator", "operator", "counsellor", "magistrate"] as const).map(async (r) => [r, await makeStaff(r, `drill ${r}`, { drillSeat: true })] as const)),
    ) as Record<"cell" | "investigator" | "operator" | "counsellor" | "magistrate", Awaited<ReturnType<typeof makeStaff>>>;

    // A real alert on the air, and a real one waiting for its sign-offs (the magistrates are asked: none is in charge yet).
    const live = await liveAlert(t);
    const waiting = await createAlert(t.cell);
    expectOk(await api("POST", `/alerts/${waiting}/submit`, undefined, as(t.cell)));

    // The thief, with the team's sessions: the list holds no real alert…
    const listed = expectOk(await api("GET", "/alerts", undefined, as(seat.cell))).body.alerts.map((a: { id: string }) => a.id);
    expect(listed).not.toContain(live);
    expect(listed).not.toContain(waiting);
    // …reading, signing, authorising, consenting, stopping a real one: "no such alert".
    const attempts: [keyof typeof seat, string, string, unknown?][] = [
      ["cell", "GET", `/alerts/${live}`],
      ["investigator", "GET", `/alerts/${live}/tips`],
      ["cell", "POST", `/alerts/${live}/stop`, { reason: "found_safe" }],
      ["operator", "POST", `/alerts/${live}/stop`, { reason: "withdrawn" }],
      ["investigator", "POST", `/alerts/${waiting}/signoffs/options`, { kind: "investigator" }],
      ["operator", "POST", `/alerts/${waiting}/signoffs/options`, { kind: "operator" }],
      ["magistrate", "POST", `/alerts/${waiting}/members`, { userId: seat.magistrate.userId, role: "magistrate" }],
      ["magistrate", "POST", `/alerts/${waiting}/signoffs/options`, { kind: "authorisation", decision: DECISION }],
      ["counsellor", "POST", `/alerts/${waiting}/consent`, { basis: "parental_consent", note: "Both parents consent." }],
      ["cell", "PUT", `/alerts/${waiting}/content`, {}],
    ];
    for (const [who, method, path, body] of attempts) {
      const res = await api(method, path, body, as(seat[who]));
      expect(res.status, `${who} ${method} ${path}`).toBe(404);
    }
    expect(expectOk(await api("GET", `/alerts/${live}`, undefined, as(t.cell))).body.state).toBe("live");
    // Nothing real to start, no board of every alert's moves, no live feed of a real one.
    expect((await api("POST", "/alerts", { exercise: false, content: makeContent(), file: FILE }, as(seat.cell))).status).toBe(403);
    for (const path of ["/board/live", `/alerts/${live}/live`]) {
      const res = await exports.default.fetch(new Request(`${ORIGIN}/api/v1${path}`, { headers: { Upgrade: "websocket", Cookie: seat.cell.cookie, Origin: ORIGIN } }));
      expect(res.status, path).toBeGreaterThanOrEqual(400);
    }
    // The real cell cannot name a drill seat on a real case; the candidates for a real case leave them out.
    expect((await api("POST", `/alerts/${waiting}/members`, { userId: seat.investigator.userId, role: "investigator" }, as(t.cell))).status).toBe(404);
    const candidates = expectOk(await api("GET", `/alerts/${waiting}/members`, undefined, as(t.cell))).body.candidates;
    expect([...candidates.magistrates, ...candidates.investigators].map((p: { id: string }) => p.id)).not.toContain(seat.investigator.userId);
    // Told of nothing real: the inbox and the e-mail of the magistrates' sign-off request.
    await mailNotices(env, waiting);
    expect(expectOk(await api("GET", "/inbox", undefined, as(seat.magistrate))).body.items.map((n: { alertId: string }) => n.alertId)).not.toContain(waiting);
    expect((await smtp.messages(t.magistrate.email)).some((m) => m.text?.includes(waiting))).toBe(true);
    expect((await smtp.messages(seat.magistrate.email)).some((m) => m.text?.includes(waiting))).toBe(false);

    // What it is for: the whole drill, seat by seat.
    const { alertId: drill } = expectOk(await api("POST", "/drills", undefined, as(seat.cell)), 201).body;
    expect(expectOk(await api("GET", "/alerts", undefined, as(seat.cell))).body.alerts.map((a: { id: string }) => a.id)).toContain(drill);
    const forDrill = expectOk(await api("GET", `/alerts/${drill}/members`, undefined, as(seat.cell))).body.candidates;
    expect(forDrill.investigators.map((p: { id: string }) => p.id)).toContain(seat.investigator.userId);
    expectOk(await api("POST", `/alerts/${drill}/members`, { userId: seat.investigator.userId, role: "investigator" }, as(seat.cell)));
    expectOk(await api("POST", `/alerts/${drill}/members`, { userId: seat.magistrate.userId, role: "magistrate" }, as(seat.cell)));
    expectOk(await api("POST", `/alerts/${drill}/submit`, undefined, as(seat.cell)));
    for (const who of ["investigator", "cell", "operator"] as const) expectOk(await signOff(seat[who], drill, who));
    expectOk(await api("POST", `/alerts/${drill}/consent`, { basis: "parental_consent", note: "Drill." }, as(seat.counsellor)));
    expectOk(await signOff(seat.magistrate, drill, "authorisation", DECISION));
    expectOk(await api("POST", `/alerts/${drill}/launch`, undefined, as(seat.cell)));
    // Told of its drill, beside the real alert it is not told of.
    const told = expectOk(await api("GET", "/inbox", undefined, as(seat.investigator))).body.items.map((n: { alertId: string }) => n.alertId);
    expect(told).toContain(drill);
    expect(told).not.toContain(live);
    expect(expectOk(await api("POST", `/alerts/${drill}/stop`, { reason: "found_safe" }, as(seat.cell))).body.state).toBe("stopped");
  });

  it("only the seats a drill needs can be drill seats, and an account is one or the other", async () => {
    for (const role of ["admin", "calltaker"]) {
      const res = await api("POST", "/admin/invitations", { email: `${role}.seat@example.test`, displayName: "x", role, drillSeat: true }, as(t.admin));
      expect(res.status, role).toBe(422);
    }
    const res = await api("POST", "/admin/invitations", { email: t.cell.email, displayName: "x", role: "cell", drillSeat: true }, as(t.admin));
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/ordinary seat/);
    // An admin who would turn a drill seat (its passkey in a file) into an admin or a call-taker is refused before any second admin is asked.
    const { makeStaff } = await import("../test/helpers.ts");
    const seat = await makeStaff("operator", "drill operator", { drillSeat: true });
    for (const role of ["admin", "calltaker"]) {
      const change = await api("PATCH", `/admin/users/${seat.userId}`, { role }, as(t.admin));
      expect(change.status, role).toBe(422);
      expect(change.body.detail).toMatch(/a drill seat is one of/);
    }
    // Among the drill's seats it may move (four eyes, as any role change).
    expect(expectOk(await api("PATCH", `/admin/users/${seat.userId}`, { role: "cell" }, as(t.admin))).body.pending).toHaveLength(1);
  });
});

describe("a drill reads its testers, not every subscriber", () => {
  it("its push and e-mail pages are cut over those who opted in to exercises (the others are never read); each tester gets it once", { timeout: 60_000 }, async () => {
    const { env } = await import("cloudflare:workers");
    // 600 browsers and 300 confirmed readers who did not opt in to exercises…
    const now = new Date().toISOString();
    const push = Array.from({ length: 600 }, (_, i) => env.DB.prepare("INSERT INTO subscriptions (id, endpoint, p256dh, auth, lang, regions, exercise) VALUES (?, ?, 'k', 'a', 'fr', '[\"BE\"]', 0)").bind(crypto.randomUUID(), `https://push.test/push/not-drilled-${i}-${crypto.randomUUID()}`));
    const mail = Array.from({ length: 300 }, (_, i) => env.DB.prepare("INSERT INTO email_subscribers (id, address, lang, regions, exercise, status, created_at, confirmed_at) VALUES (?, ?, 'fr', '[\"BE\"]', 0, 'active', ?, ?)").bind(crypto.randomUUID(), `reader-${i}-${crypto.randomUUID().slice(0, 8)}@not-drilled.example`, now, now));
    await env.DB.batch([...push, ...mail]);
    // …and two testers' browsers that did.
    const testers = await Promise.all([citizen({ exercise: true }), citizen({ exercise: true })]);
    const count = async (q: string) => (await env.DB.prepare(q).first<{ n: number }>())!.n;
    const pushTesters = await count("SELECT count(*) AS n FROM subscriptions WHERE exercise = 1");
    const mailTesters = await count("SELECT count(*) AS n FROM email_subscribers WHERE status = 'active' AND exercise = 1");
    expect(await count("SELECT count(*) AS n FROM subscriptions")).toBeGreaterThan(pushTesters + 500);

    const { alertId: id } = expectOk(await api("POST", "/drills", undefined, as(t.cell)), 201).body;
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    for (const [who, kind] of [[t.investigator, "investigator"], [t.cell, "cell"], [t.operator, "operator"]] as const) expectOk(await signOff(who, id, kind));
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Drill." }, as(t.counsellor)));
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const fanouts = await settledFanouts(id, ["alert"], as(t.cell));
    const of = (ch: string) => fanouts.find((f) => f.channel === ch && f.event === "alert")!;
    // One page per 250 testers — not one per 250 subscribers.
    expect(of("push").pagesPlanned).toBe(Math.ceil(pushTesters / 250));
    expect(of("push").sent).toBe(pushTesters);
    expect(of("email").pagesPlanned).toBe(Math.max(0, Math.ceil(mailTesters / 250)));
    for (const b of testers) expect(await standin.received(b.id)).toHaveLength(1);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    await settledFanouts(id, ["alert", "stop"], as(t.cell));
  });
});
