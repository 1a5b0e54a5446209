// Trust, tried from outside as an attacker would (issue 11): each test failed on the code
// before its fix.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Role } from "../domain/index.ts";
import { type StoredSignOff, verifyStoredSignOff } from "../services/signoff-verify.ts";
import { api, as, authorisedAlert, createAlert, DECISION, expectOk, makeTeam, ORIGIN, signOff, type Staff } from "../test/helpers.ts";

/** A role change ends the person's sessions: they sign in again with their passkey. */
async function changeRoleAndSignIn(admin: Staff, s: Staff, role: Role): Promise<Staff> {
  expectOk(await api("PATCH", `/admin/users/${s.userId}`, { role }, as(admin)));
  const opts = expectOk(await api("POST", "/auth/login/options", undefined, { ip: s.ip }));
  const res = expectOk(await api("POST", "/auth/login/verify", { challengeId: opts.body.challengeId, response: await s.auth.get(opts.body.options) }, { ip: s.ip }));
  return { ...s, role, cookie: res.headers.get("Set-Cookie")!.split(";")[0]! };
}

describe("one person, one signature per alert", () => {
  it("after role changes the same person cannot sign a second part nor authorise; the others still can", async () => {
    const t = await makeTeam();
    const id = await createAlert(t.cell);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    expectOk(await signOff(t.investigator, id, "investigator"));

    let same = await changeRoleAndSignIn(t.admin, t.investigator, "cell");
    const asCell = await signOff(same, id, "cell");
    expect(asCell.status).toBe(409);
    expect(asCell.body.code).toBe("E_ONE_SEAT");
    same = await changeRoleAndSignIn(t.admin, same, "operator");
    expect((await signOff(same, id, "operator")).body.code).toBe("E_ONE_SEAT");

    expectOk(await signOff(t.cell, id, "cell"));
    expectOk(await signOff(t.operator, id, "operator"));
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
    same = await changeRoleAndSignIn(t.admin, same, "magistrate");
    const authorise = await signOff(same, id, "authorisation", DECISION);
    expect(authorise.body.code).toBe("E_ONE_SEAT");
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("concertation");

    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("authorised");
  });
});

/** Every stored sign-off of an alert, re-checked as `npm run signoffs:verify` does. */
async function verifyAll(alertId: string) {
  const { results } = await env.DB.prepare(
    `SELECT s.id, s.alert_id AS alertId, s.kind, s.content_hash AS contentHash, s.credential_id AS credentialId, s.challenge,
            s.authenticator_data AS authenticatorData, s.client_data_json AS clientDataJson, s.signature, s.decision,
            v.content_hash AS versionHash, v.content, a.exercise, c.public_key AS publicKey
       FROM sign_offs s JOIN alert_versions v ON v.id = s.version_id JOIN alerts a ON a.id = s.alert_id
       LEFT JOIN credentials c ON c.id = s.credential_id WHERE s.alert_id = ? ORDER BY s.created_at`,
  )
    .bind(alertId)
    .all<StoredSignOff & { versionHash: string; content: string | null; exercise: number; publicKey: string | null }>();
  return Promise.all(
    results.map((r) => verifyStoredSignOff(r, { exercise: !!r.exercise, contentHash: r.versionHash, content: r.content }, r.publicKey, { origin: ORIGIN, rpId: env.RP_ID })),
  );
}

describe("the magistrate's decision is signed, not only the content", () => {
  it("every stored sign-off re-verifies by itself; a decision, content or kind altered afterwards is named", async () => {
    const t = await makeTeam();
    const id = await authorisedAlert(t);
    const verdicts = await verifyAll(id);
    expect(verdicts.map((v) => [v.kind, v.ok, v.binds])).toEqual([
      ["investigator", true, "decision"],
      ["cell", true, "decision"],
      ["operator", true, "decision"],
      ["authorisation", true, "decision"],
    ]);

    // Someone with database access softens the risk assessment after the ceremony.
    const row = await env.DB.prepare("SELECT decision FROM sign_offs WHERE alert_id = ? AND kind = 'authorisation'").bind(id).first<{ decision: string }>();
    const altered = JSON.stringify({ ...JSON.parse(row!.decision), riskAssessment: "Weighed quickly; publish anyway, it costs nothing." });
    await env.DB.prepare("UPDATE sign_offs SET decision = ? WHERE alert_id = ? AND kind = 'authorisation'").bind(altered, id).run();
    // …and passes the operator's signature off as the cell's.
    await env.DB.prepare("DELETE FROM sign_offs WHERE alert_id = ? AND kind = 'cell'").bind(id).run();
    await env.DB.prepare("UPDATE sign_offs SET kind = 'cell' WHERE alert_id = ? AND kind = 'operator'").bind(id).run();
    const after = await verifyAll(id);
    const bad = after.filter((v) => !v.ok);
    expect(bad).toHaveLength(2);
    for (const v of bad) expect(v.problems.join(" ")).toMatch(/altered after the ceremony/);
    expect(bad.map((v) => v.kind).sort()).toEqual(["authorisation", "cell"]);
    expect(after.filter((v) => v.ok).map((v) => v.kind)).toEqual(["investigator"]);
  });

  it("the decision is given when the ceremony starts; the final step cannot carry another one", async () => {
    const t = await makeTeam();
    const id = await createAlert(t.cell);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    for (const [who, kind] of [[t.investigator, "investigator"], [t.cell, "cell"], [t.operator, "operator"]] as const) expectOk(await signOff(who, id, kind));
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent", note: "Both parents agreed by phone." }, as(t.counsellor)));
    // No decision at the start: refused before the passkey is asked for.
    expect((await api("POST", `/alerts/${id}/signoffs/options`, { kind: "authorisation" }, as(t.magistrate))).body.code).toBe("E_RULE");
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "authorisation", decision: DECISION }, as(t.magistrate)));
    const response = await t.magistrate.auth.get(opts.body.options);
    const swapped = await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response, decision: { ...DECISION, riskAssessment: "Something else entirely, written later." } }, as(t.magistrate));
    expect(swapped.status).toBe(400);
    expectOk(await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response }, as(t.magistrate)));
    const stored = await env.DB.prepare("SELECT decision FROM sign_offs WHERE alert_id = ? AND kind = 'authorisation'").bind(id).first<{ decision: string }>();
    expect(JSON.parse(stored!.decision).riskAssessment).toBe(DECISION.riskAssessment);
  });
});
