// Search notices (issue 29), tried from outside against protocol §2.3.3.1: the initiative
// (the foundation may draft one), the concerted evaluation (police service, cell, foundation,
// then the magistrate — a written evaluation, not the Child Alert's four launch criteria),
// the parents' consent, the foundation's reasoned refusal and the magistrate's opposition,
// the social networks only at the magistrate's request, never the mass push and e-mail, the
// partners who chose notices, the public list; weeks with a review; found; escalation to a
// Child Alert and continuation of an unfound one.
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, citizen, expectOk, FILE, liveAlert, makeContent, makeTeam, nameCase, settledFanouts, signOff, standin, type Team } from "../test/helpers.ts";
import { env, exports } from "cloudflare:workers";
import { addAccount, standInPosts } from "../test/standins/social.ts";
import { emailSubscriber, smtp } from "../test/standins/email.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const DAY = 86_400_000;
const EVALUATION = { riskAssessment: "A public search campaign is opportune: no sign of danger from publicity; posters in Namur." };
const code = (res: { status: number; body: { code?: string } }) => [res.status, res.body.code];
const notice = (by = t.operator, over: Record<string, unknown> = {}) =>
  api("POST", "/alerts", { exercise: false, content: makeContent({ targeting: { regions: ["BE-WNA"], languages: ["fr", "nl"] } }), file: FILE, kind: "search_notice", initiative: "parents", ...over }, as(by));
const publicPage = async (path: string) => (await exports.default.fetch(new Request(`${env.APP_ORIGIN}${path}`))).text();

/** Submitted and through the concertation's three sign-offs (the police service, the cell, the foundation). */
async function concerted(id: string) {
  await nameCase(t, id);
  expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
  for (const [who, kind] of [[t.investigator, "investigator"], [t.cell, "cell"], [t.operator, "operator"]] as const) expectOk(await signOff(who, id, kind));
}

describe("a search notice (protocol §2.3.3.1)", () => {
  it("goes from the initiative to publication to found under the same concertation; each refusal with its code", { timeout: 90_000 }, async () => {
    // The initiative is recorded; the foundation drafts notices, not Child Alerts; a call-taker neither.
    expect(code(await notice(t.operator, { initiative: undefined }))).toEqual([422, "E_RULE"]);
    expect(code(await api("POST", "/alerts", { exercise: false, content: makeContent(), file: FILE }, as(t.operator)))).toEqual([403, "E_FORBIDDEN_ROLE"]);
    expect((await notice(t.calltaker)).status).toBe(403);
    const id = expectOk(await notice(), 201).body.alertId as string;
    expect(expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body).toMatchObject({ kind: "search_notice", initiative: "parents", state: "draft" });

    await concerted(id);
    // The parents' agreement first (or the magistrate's requisition, or the foundation's danger assessment).
    expect(code(await signOff(t.magistrate, id, "authorisation", EVALUATION))).toEqual([409, "E_CONSENT_MISSING"]);
    // The foundation may refuse, with its reasons; the magistrate may oppose: either blocks it.
    expect(code(await api("POST", `/alerts/${id}/objections`, { kind: "operator_refusal", reason: "no" }, as(t.operator)))).toEqual([422, "E_RULE"]);
    const refusal = expectOk(await api("POST", `/alerts/${id}/objections`, { kind: "operator_refusal", reason: "The family asked for a few hours more to reach the child's father first." }, as(t.operator))).body;
    expect(refusal.state).toBe("blocked");
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
    expect(code(await api("POST", `/alerts/${id}/launch`, undefined, as(t.operator)))).toEqual([409, "E_BLOCKED"]);
    expect(code(await signOff(t.magistrate, id, "authorisation", EVALUATION))).toEqual([409, "E_INVALID_TRANSITION"]);
    const objections = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.objections as { id: string }[];
    expectOk(await api("POST", `/alerts/${id}/objections/${objections[0]!.id}/lift`, undefined, as(t.operator)));
    // The magistrate's evaluation is written; the four Child Alert criteria are not asked of a notice.
    expect(code(await signOff(t.magistrate, id, "authorisation", { riskAssessment: "ok" }))).toEqual([422, "E_RULE"]);
    // Only the magistrate asks for the social networks, before publication.
    expect((await api("POST", `/alerts/${id}/social-request`, undefined, as(t.operator))).status).toBe(403);
    expectOk(await api("POST", `/alerts/${id}/social-request`, undefined, as(t.magistrate)));
    expectOk(await signOff(t.magistrate, id, "authorisation", EVALUATION));

    // A partner who chose notices, one who did not; a push subscriber.
    const both = expectOk(await api("POST", "/admin/partners", { name: "Notices too", domains: ["notices.example.be"], country: "BE", languages: ["fr"], regions: ["BE"], kinds: "both" }, as(t.admin)), 201).body;
    const alertsOnly = expectOk(await api("POST", "/admin/partners", { name: "Child Alerts only", domains: ["alerts.example.be"], country: "BE", languages: ["fr"], regions: ["BE"] }, as(t.admin)), 201).body;
    const browser = await citizen({ regions: ["BE-WNA"], lang: "fr" });
    // A citizen who opted in to the search notices of their region (a separate choice on the subscribe page).
    const follower = await citizen({ regions: ["BE-WNA"], lang: "fr", notices: true });
    // And by e-mail: one reader opted in to notices, one did not.
    const reader = await emailSubscriber({ regions: ["BE-WNA"], lang: "fr", notices: true });
    const alertsOnlyReader = await emailSubscriber({ regions: ["BE-WNA"], lang: "fr" });
    await addAccount("mastodon", { lang: "fr", regions: ["BE"] }, t.admin);

    const launched = expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.operator))).body;
    // Weeks, not hours: reviewed after 14 days.
    expect(Date.parse(launched.endsAt) - Date.now()).toBeGreaterThan(13 * DAY);
    const fanouts = await settledFanouts(id, ["alert"], as(t.cell));
    // Never the mass web push and e-mail: a push and an e-mail only to those who opted in to notices; the social
    // networks, asked for by the magistrate, are not held back.
    expect(fanouts.find((f) => f.channel === "email")).toMatchObject({ sent: 1 });
    expect(fanouts.find((f) => f.channel === "push")).toMatchObject({ sent: 1 });
    const mail = (await smtp.messages(reader)).find((m) => m.headers["x-child-alert"]?.includes(`${id}; event=alert`));
    expect(mail?.subject).toContain("AVIS DE RECHERCHE");
    expect((await smtp.messages(alertsOnlyReader)).filter((m) => m.headers["x-child-alert"]?.includes(id))).toEqual([]);
    const pushed = await standin.received(follower.id);
    expect(pushed).toHaveLength(1);
    expect(pushed[0]!.payload.title).toContain("AVIS DE RECHERCHE");
    expect(fanouts.find((f) => f.channel === "mastodon")?.notCarried).toBeUndefined();
    const posts = await standInPosts(id);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts[0]!.text).toContain("AVIS DE RECHERCHE");
    expect(await standin.received(browser.id)).toEqual([]);

    // The public list (by region and age), the partner who chose notices (feed and widget), never the keyless feed.
    expect(await publicPage("/notices?lang=fr")).toContain(`data-id="${id}"`);
    expect(await publicPage("/notices?lang=fr&region=BE-WNA&age=6-11")).toContain(`data-id="${id}"`);
    expect(await publicPage("/notices?lang=fr&region=BE-BRU")).not.toContain(`data-id="${id}"`);
    expect(await publicPage("/notices?lang=fr&age=12-17")).not.toContain(`data-id="${id}"`);
    expect(await publicPage(`/alert/${id}?lang=fr`)).toContain("AVIS DE RECHERCHE");
    const feed = (key: string) => api("GET", "/feeds/partner.json", undefined, { headers: { Authorization: `Bearer ${key}` } });
    const item = expectOk(await feed(both.apiKey)).body.alerts.find((a: { id: string }) => a.id === id);
    expect(item).toMatchObject({ kind: "search_notice" });
    expect(item.texts.fr.headline).toContain("AVIS DE RECHERCHE");
    // Its CAP says what it is: a missing-child search, not an abduction emergency.
    const cap = await (await exports.default.fetch(new Request(item.cap, { headers: { Authorization: `Bearer ${both.apiKey}` } }))).text();
    expect(cap).toContain("<event>Missing Child Search</event>");
    expect(cap).not.toContain("CAE");
    expect(expectOk(await feed(alertsOnly.apiKey)).body.alerts.map((a: { id: string }) => a.id)).not.toContain(id);
    const widget = expectOk(await api("GET", `/widget/${both.partner.id}/alerts.json`, undefined, { origin: "https://notices.example.be" })).body;
    expect(widget.alerts.map((a: { id: string }) => a.id)).toContain(id);
    expect(expectOk(await api("GET", "/feeds/alerts.json")).body.alerts.map((a: { id: string }) => a.id)).not.toContain(id);

    // "Still needed?": the foundation (or the magistrate) confirms it for 14 more days.
    const extended = expectOk(await api("POST", `/alerts/${id}/extend`, undefined, as(t.operator))).body;
    expect(Date.parse(extended.endsAt) - Date.parse(launched.endsAt)).toBe(14 * DAY);
    // Found: ended everywhere, gone from the list.
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.operator)));
    expect(await publicPage("/notices?lang=fr")).not.toContain(`data-id="${id}"`);
    expect(await publicPage(`/alert/${id}?lang=fr`)).not.toContain("Lina");
  });

  it("without the magistrate's request it stays off the social networks, and the request comes before publication", { timeout: 60_000 }, async () => {
    const id = expectOk(await notice(t.cell, { initiative: "police" }), 201).body.alertId as string;
    await concerted(id);
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "magistrate_requisition", note: "Requisition by the magistrate in charge." }, as(t.magistrate)));
    expectOk(await signOff(t.magistrate, id, "authorisation", EVALUATION));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    const fanouts = await settledFanouts(id, ["alert"], as(t.cell));
    for (const ch of ["mastodon", "bluesky", "x", "facebook", "telegram"]) expect(fanouts.find((f) => f.channel === ch), ch).toMatchObject({ notCarried: true, sent: 0 });
    expect(await standInPosts(id)).toEqual([]); // the official account of the first case is still there
    // While published, the request comes too late (it is part of the decision on its terms).
    expect(code(await api("POST", `/alerts/${id}/social-request`, undefined, as(t.magistrate)))).toEqual([409, "E_INVALID_TRANSITION"]);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
  });

  it("escalates to a Child Alert draft with the agreed content, which needs its own concertation; an unfound Child Alert continues as a notice only by the magistrate's decision; a Child Alert's extension stays the magistrate's", { timeout: 60_000 }, async () => {
    const id = expectOk(await notice(), 201).body.alertId as string;
    const original = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.versions.at(-1).content;
    // Child Alerts are drafted by the cell and the investigators: the foundation cannot escalate by itself.
    expect(code(await api("POST", `/alerts/${id}/escalate`, undefined, as(t.operator)))).toEqual([403, "E_FORBIDDEN_ROLE"]);
    const escalated = expectOk(await api("POST", `/alerts/${id}/escalate`, undefined, as(t.cell)), 201).body.alertId as string;
    const draft = expectOk(await api("GET", `/alerts/${escalated}`, undefined, as(t.cell))).body;
    expect(draft).toMatchObject({ kind: "child_alert", state: "draft", originAlertId: id });
    expect(draft.versions.at(-1).content).toEqual(original);
    // Its own concertation: the magistrate's authorisation needs the four criteria this time.
    await concerted(escalated);
    expectOk(await api("POST", `/alerts/${escalated}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
    expect(code(await signOff(t.magistrate, escalated, "authorisation", EVALUATION))).toEqual([422, "E_RULE"]);
    // Only a notice escalates.
    expect(code(await api("POST", `/alerts/${escalated}/escalate`, undefined, as(t.cell)))).toEqual([409, "E_INVALID_TRANSITION"]);

    // A Child Alert that ended with the child found safe has nothing left to search for; one withdrawn unfound continues, by the magistrate's decision.
    const safe = await liveAlert(t);
    expectOk(await api("POST", `/alerts/${safe}/stop`, { reason: "found_safe" }, as(t.cell)));
    expect(code(await api("POST", `/alerts/${safe}/continue-as-notice`, undefined, as(t.magistrate)))).toEqual([422, "E_RULE"]);
    const unfound = await liveAlert(t);
    expect(code(await api("POST", `/alerts/${unfound}/continue-as-notice`, undefined, as(t.magistrate)))).toEqual([409, "E_INVALID_TRANSITION"]); // still live
    // A Child Alert's extension stays the magistrate's (the foundation confirms only notices).
    expect(code(await api("POST", `/alerts/${unfound}/extend`, undefined, as(t.operator)))).toEqual([403, "E_FORBIDDEN_ROLE"]);
    expectOk(await api("POST", `/alerts/${unfound}/stop`, { reason: "withdrawn" }, as(t.magistrate)));
    expect((await api("POST", `/alerts/${unfound}/continue-as-notice`, undefined, as(t.cell))).status).toBe(403);
    const continued = expectOk(await api("POST", `/alerts/${unfound}/continue-as-notice`, undefined, as(t.magistrate)), 201).body.alertId as string;
    expect(expectOk(await api("GET", `/alerts/${continued}`, undefined, as(t.cell))).body).toMatchObject({ kind: "search_notice", initiative: "magistrate", state: "draft", originAlertId: unfound });
    // The same case goes on: its magistrate in charge and its investigators come along (they read its tips, sign for it).
    const people = expectOk(await api("GET", `/alerts/${continued}/members`, undefined, as(t.cell))).body;
    expect(people.magistrate?.id).toBe(t.magistrate.userId);
    expect(people.investigators.map((p: { id: string }) => p.id)).toEqual([t.investigator.userId]);
  });
});
