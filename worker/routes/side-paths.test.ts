// Issue 24, items 1 and 2 — the rules hold on the side paths too, written from DOMAIN.md:
// every targeted language before anyone signs or anything goes out, whatever path the
// version took; and the caller's choice on the line binds the tip's record (rule 10).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { alertStub } from "../alert/api.ts";
import { api, as, expectOk, liveAlert, makeContent, makeTeam, nameCase, signOff, type Team, FILE } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

describe("every language, whatever the path (issue 24.1)", () => {
  it("a French-only draft for FR+NL, refused then lifted, goes back to draft — not into concertation: its submission asks for the Dutch text", async () => {
    const content = makeContent({ targeting: { regions: ["BE"], languages: ["fr"] } });
    content.targeting.languages = ["fr", "nl"]; // Dutch targeted, no Dutch text yet (a draft may be written one language at a time)
    const created = await api("POST", "/alerts", { exercise: true, content, file: FILE }, as(t.cell));
    expect(created.status).toBe(201);
    const id = created.body.alertId as string;
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/objections`, { kind: "operator_refusal", reason: "The material is not verified yet." }, as(t.operator)));
    const objectionId = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.objections[0].id;
    const lifted = expectOk(await api("POST", `/alerts/${id}/objections/${objectionId}/lift`, undefined, as(t.operator)));
    expect(lifted.body.state).toBe("draft");
    // No one signs a draft; its submission is where the translations are checked.
    expect((await signOff(t.investigator, id, "investigator")).body.code).toBe("E_INVALID_TRANSITION");
    const submit = await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell));
    expect(submit.status).toBe(422);
    expect(submit.body.code).toBe("E_TRANSLATION_MISSING");
    expect(submit.body.errors.map((e: { path: string }) => e.path)).toContain("content.child.description.nl");
    expect((await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell))).status).toBe(409);
  });

  it("a version in concertation that lacks a targeted language cannot be signed, authorised nor launched (whatever path put it there)", async () => {
    const id = (await api("POST", "/alerts", { exercise: true, content: makeContent(), file: FILE }, as(t.cell))).body.alertId as string;
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    // As if a side path had put an untranslated version under review: drop the Dutch description in D1.
    const v = (await env.DB.prepare("SELECT current_version_id AS v FROM alerts WHERE id = ?").bind(id).first<{ v: string }>())!.v;
    await env.DB.prepare("UPDATE alert_versions SET content = json_remove(content, '$.child.description.nl') WHERE id = ?").bind(v).run();
    const res = await signOff(t.investigator, id, "investigator");
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("E_TRANSLATION_MISSING");
  });
});

describe("the caller's choice binds the record (issue 24.2, rule 10)", () => {
  async function takenCall(id: string, recording: "given" | "refused") {
    const sid = `CA${crypto.randomUUID().replace(/-/g, "")}`;
    const stub = alertStub(env, id);
    await stub.callArrived(sid);
    await stub.callQueued(sid, "fr", recording, recording === "given" ? "+32470444555" : null, `AC${"3".repeat(32)}`);
    expectOk(await api("POST", `/alerts/${id}/calls/next`, undefined, as(t.calltaker)));
    return sid;
  }

  it("a caller who objected on the line cannot be recorded by the call-taker as 'given' with a number", async () => {
    const id = await liveAlert(t);
    const sid = await takenCall(id, "refused");
    const claimed = await api("POST", `/alerts/${id}/tips`, { callSid: sid, text: "Saw the van near the bridge", recording: "given", anonymous: false, contact: { phone: "+32470444555" } }, as(t.calltaker));
    expect(claimed.status).toBe(422);
    expect(claimed.body.code).toBe("E_RULE");
    expect((await env.DB.prepare("SELECT count(*) AS n FROM tips WHERE alert_id = ?").bind(id).first<{ n: number }>())!.n).toBe(0);
    // As the caller chose: not recorded, anonymous, with the call-taker's assessment; and no key to the call kept.
    expectOk(await api("POST", `/alerts/${id}/tips`, { callSid: sid, text: "Saw the van near the bridge", recording: "refused", anonymous: true, assessment: "plausible" }, as(t.calltaker)), 201);
    const row = (await env.DB.prepare("SELECT recording, anonymous, call_sid, contact_phone FROM tips WHERE alert_id = ?").bind(id).first<Record<string, unknown>>())!;
    expect(row).toEqual({ recording: "refused", anonymous: 1, call_sid: null, contact_phone: null });
  });

  it("a caller who accepted the recording is not written down as having objected", async () => {
    const id = await liveAlert(t);
    const sid = await takenCall(id, "given");
    const res = await api("POST", `/alerts/${id}/tips`, { callSid: sid, text: "A girl in red at the station", recording: "refused", anonymous: true, assessment: "doubtful" }, as(t.calltaker));
    expect(res.body.code).toBe("E_RULE");
  });
});
