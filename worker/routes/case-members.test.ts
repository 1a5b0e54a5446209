// Issue 23, item 3, written as the attacker's steps: an investigator who once touched an
// alert (or any investigator, while none is named) reads its tips with the callers'
// contact details; any magistrate authorises, opposes or lifts another's opposition.
// DOMAIN.md: the magistrate in charge decides; the case's investigators receive the tips.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../test/fixtures.ts";
import { api, as, createAlert, DECISION, expectOk, liveAlert, makeStaff, makeTeam, nameCase, ORIGIN, signOff, type Staff, type Team } from "../test/helpers.ts";

let t: Team;
let outsider: Staff; // an investigator, not named on the case
let otherMagistrate: Staff;
beforeAll(async () => {
  t = await makeTeam();
  outsider = await makeStaff("investigator", "Otto Outsider");
  otherMagistrate = await makeStaff("magistrate", "Maud Other");
});

const citizenTip = (id: string, text: string) =>
  api("POST", `/alerts/${id}/tips/web`, { text, seenWhere: "Namur", anonymous: false, contact: { phone: "+32 470 55 66 77" }, turnstileToken: "XXXX.DUMMY.TOKEN.XXXX" }, { ip: `198.18.7.${Math.floor(Math.random() * 250)}` });

describe("the case's tips are its investigators'", () => {
  it("an investigator who uploaded a photo to the alert (an audit entry) but is not named reads no tip, and gets none live", async () => {
    const id = await liveAlert(t);
    const up = await exports.default.fetch(
      new Request(`${ORIGIN}/api/v1/alerts/${id}/photos`, { method: "POST", headers: { Origin: ORIGIN, Cookie: outsider.cookie, "X-Requested-With": "child-alert" }, body: fixture("photo-exif.jpg") }),
    );
    expect(up.status).toBe(201); // investigators may prepare material: that alone puts no one on the case
    const res = await exports.default.fetch(new Request(`${ORIGIN}/api/v1/alerts/${id}/live`, { headers: { Upgrade: "websocket", Cookie: outsider.cookie, Origin: ORIGIN } }));
    const seen: string[] = [];
    res.webSocket!.accept();
    res.webSocket!.addEventListener("message", (e) => seen.push(String(e.data)));
    expectOk(await citizenTip(id, "A girl in a yellow raincoat at platform 3"), 201);
    const refused = await api("GET", `/alerts/${id}/tips`, undefined, as(outsider));
    expect(refused.status).toBe(403);
    // The named investigator reads it, with the contact details.
    const named = expectOk(await api("GET", `/alerts/${id}/tips`, undefined, as(t.investigator))).body.tips;
    expect(named[0].contact.phone).toBe("+32 470 55 66 77");
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.join("")).not.toContain("yellow raincoat");
    expect(seen.join("")).not.toContain("+32 470");
    res.webSocket!.close(1000);
  });

  it("while no investigator is named, no investigator reads the tips (the cell does, and names them)", async () => {
    const id = await createAlert(t.cell);
    expectOk(await api("POST", `/alerts/${id}/members`, { userId: t.magistrate.userId, role: "magistrate" }, as(t.cell)));
    // The investigator's sign-off is refused until one is named: the concertation cannot go on without them.
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    const unnamed = await signOff(t.investigator, id, "investigator");
    expect(unnamed.status).toBe(403);
    expect(unnamed.body.code).toBe("E_NOT_ON_CASE");
    for (const who of [t.investigator, outsider]) expect((await api("GET", `/alerts/${id}/tips`, undefined, as(who))).status).toBe(403);
    expect((await api("GET", `/alerts/${id}/tips`, undefined, as(t.cell))).status).toBe(200);
  });

  it("only a named investigator gives the investigators' sign-off", async () => {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    expect((await signOff(outsider, id, "investigator")).body.code).toBe("E_NOT_ON_CASE");
    expectOk(await signOff(t.investigator, id, "investigator"));
  });
});

describe("the magistrate in charge decides", () => {
  async function inConcertation() {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    for (const [who, kind] of [[t.investigator, "investigator"], [t.cell, "cell"], [t.operator, "operator"]] as const) expectOk(await signOff(who, id, kind));
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
    return id;
  }

  it("another magistrate can neither authorise nor oppose", async () => {
    const id = await inConcertation();
    const authorise = await signOff(otherMagistrate, id, "authorisation", DECISION);
    expect(authorise.status).toBe(403);
    expect(authorise.body.code).toBe("E_NOT_ON_CASE");
    const oppose = await api("POST", `/alerts/${id}/objections`, { kind: "magistrate_opposition", reason: "I oppose this broadcast for my own reasons." }, as(otherMagistrate));
    expect(oppose.body.code).toBe("E_NOT_ON_CASE");
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("concertation");
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
  });

  it("a second magistrate cannot lift the first one's opposition; after an explicit hand-over, the new magistrate in charge can", async () => {
    const id = await inConcertation();
    const opposed = expectOk(await api("POST", `/alerts/${id}/objections`, { kind: "magistrate_opposition", reason: "Broadcasting now would endanger the child." }, as(t.magistrate)));
    expect(opposed.body.state).toBe("blocked");
    const objectionId = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.objections[0].id;
    const lift = () => api("POST", `/alerts/${id}/objections/${objectionId}/lift`, undefined, as(otherMagistrate));
    expect((await lift()).body.code).toBe("E_NOT_ON_CASE");
    // Nor may they take the case: it has a magistrate in charge; only the cell or that magistrate hands it over.
    const grab = await api("POST", `/alerts/${id}/members`, { userId: otherMagistrate.userId, role: "magistrate" }, as(otherMagistrate));
    expect(grab.status).toBe(403);
    expect((await api("POST", `/alerts/${id}/members`, { userId: otherMagistrate.userId, role: "magistrate" }, as(t.operator))).status).toBe(403);
    const handed = expectOk(await api("POST", `/alerts/${id}/members`, { userId: otherMagistrate.userId, role: "magistrate" }, as(t.cell)));
    expect(handed.body.magistrate.id).toBe(otherMagistrate.userId);
    // The previous one is no longer in charge: they may not authorise; the new one lifts.
    expectOk(await lift());
    expect((await signOff(t.magistrate, id, "authorisation", DECISION)).body.code).toBe("E_NOT_ON_CASE");
    const audit = expectOk(await api("GET", `/alerts/${id}/audit`, undefined, as(t.cell))).body.entries as { action: string; details: Record<string, unknown> }[];
    const handover = audit.find((e) => e.action === "case_handed_over")!.details;
    expect(typeof handover === "string" ? JSON.parse(handover) : handover).toMatchObject({ userId: otherMagistrate.userId, from: t.magistrate.userId });
  });

  it("a magistrate takes charge of a case that has none; the magistrate in charge names investigators; others may not", async () => {
    const id = await createAlert(t.cell);
    expect((await api("POST", `/alerts/${id}/members`, { userId: outsider.userId, role: "investigator" }, as(otherMagistrate))).status).toBe(403);
    const took = expectOk(await api("POST", `/alerts/${id}/members`, { userId: otherMagistrate.userId, role: "magistrate" }, as(otherMagistrate)));
    expect(took.body.magistrate.id).toBe(otherMagistrate.userId);
    expectOk(await api("POST", `/alerts/${id}/members`, { userId: outsider.userId, role: "investigator" }, as(otherMagistrate)));
    // Only investigators are named as investigators; the magistrate in charge is handed over, never removed.
    expect((await api("POST", `/alerts/${id}/members`, { userId: t.cell.userId, role: "investigator" }, as(t.cell))).body.code).toBe("E_RULE");
    expect((await api("DELETE", `/alerts/${id}/members/${otherMagistrate.userId}`, undefined, as(t.cell))).body.code).toBe("E_RULE");
    const after = expectOk(await api("DELETE", `/alerts/${id}/members/${outsider.userId}`, undefined, as(t.cell))).body;
    expect(after.investigators).toEqual([]);
  });
});
