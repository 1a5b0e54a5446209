// Trust, tried from outside as an attacker would (issue 11): each test failed on the code
// before its fix.
import { describe, expect, it } from "vitest";
import type { Role } from "../domain/index.ts";
import { api, as, createAlert, DECISION, expectOk, makeTeam, signOff, type Staff } from "../test/helpers.ts";

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
