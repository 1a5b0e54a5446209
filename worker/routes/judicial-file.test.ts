// The judicial file (issue 24.5), from DOMAIN.md ("An alert carries the police report (PV)
// number it belongs to; the magistrate may exclude non-signing roles (e.g. the counsellor)
// from reading the file for the secrecy of the investigation") and rule 11 (the published
// data stays identical to the judicial file): tried through the API, as each role would.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, as, expectOk, FILE, makeContent, makeStaff, makeTeam, nameCase, type Team } from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

const actions = async (id: string) => (await env.DB.prepare("SELECT action FROM audit_entries WHERE alert_id = ? ORDER BY seq").bind(id).all<{ action: string }>()).results.map((r) => r.action);
const stateOf = async (id: string) => (await env.DB.prepare("SELECT state FROM alerts WHERE id = ?").bind(id).first<{ state: string }>())!.state;

describe("the PV number before submission (rule 11 has a file to compare with)", () => {
  it("a draft without the PV number is not submitted; given in the draft, it is shown to every signer and fixed once submitted", async () => {
    const id = (expectOk(await api("POST", "/alerts", { exercise: false, content: makeContent() }, as(t.cell)), 201)).body.alertId as string;
    const refused = await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("E_PV_MISSING");
    expect(await stateOf(id)).toBe("draft");
    expect(await actions(id)).not.toContain("submitted");

    // Bad input: a clear 400, nothing written.
    for (const bad of [{ pvNumber: "" }, { pvNumber: "<img src=x>" }, { pvNumber: "x".repeat(41) }, { pvNumber: "NA.1/26", extra: 1 }, { magistrateRef: "only a ref" }]) {
      const res = await api("PUT", `/alerts/${id}/file`, bad, as(t.cell));
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect(await actions(id)).not.toContain("file_named");
    // A role that does not draft does not name the file.
    expect((await api("PUT", `/alerts/${id}/file`, FILE, as(t.operator))).body.code).toBe("E_FORBIDDEN_ROLE");

    expectOk(await api("PUT", `/alerts/${id}/file`, FILE, as(t.cell)));
    expect(await actions(id)).toContain("file_named");
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    await nameCase(t, id);

    // Every signer sees which file (and which magistrate in charge) the alert must match.
    for (const signer of [t.cell, t.operator, t.investigator, t.magistrate]) {
      const detail = expectOk(await api("GET", `/alerts/${id}`, undefined, as(signer))).body;
      expect(detail.file.pvNumber).toBe(FILE.pvNumber);
      expect(detail.file.magistrateRef).toBe(FILE.magistrateRef);
      expect(detail.file.magistrateInCharge.userId).toBe(t.magistrate.userId);
    }
    const options = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "cell" }, as(t.cell))).body;
    expect(options.file).toEqual({ pvNumber: FILE.pvNumber, magistrateRef: FILE.magistrateRef, magistrateInCharge: { userId: t.magistrate.userId, name: expect.any(String) } });

    // Fixed once submitted: every sign-off is given against it.
    const changed = await api("PUT", `/alerts/${id}/file`, { pvNumber: "BR.12.L1.999999/2026" }, as(t.cell));
    expect(changed.status).toBe(409);
    expect(expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.file.pvNumber).toBe(FILE.pvNumber);
  });
});

describe("the PV number on the side paths", () => {
  it("a draft blocked before submission and lifted is still a draft: its PV number can be given then, and is fixed after the submission", async () => {
    const id = (expectOk(await api("POST", "/alerts", { exercise: false, content: makeContent() }, as(t.cell)), 201)).body.alertId as string;
    expectOk(await api("POST", `/alerts/${id}/objections`, { kind: "operator_refusal", reason: "Not enough to go on yet." }, as(t.operator)));
    expect(await stateOf(id)).toBe("blocked");
    // Blocked from the draft: the drafters may still name the file (nothing was signed against it).
    expectOk(await api("PUT", `/alerts/${id}/file`, FILE, as(t.investigator)));
    const refusal = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.operator))).body.objections[0].id as string;
    expectOk(await api("POST", `/alerts/${id}/objections/${refusal}/lift`, undefined, as(t.operator)));
    expect(await stateOf(id)).toBe("draft");
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    expect((await api("PUT", `/alerts/${id}/file`, { pvNumber: "BR.12.L1.999999/2026" }, as(t.cell))).status).toBe(409);
  });
});

describe("the magistrate closes the file to non-signing roles (protocol §2.2.6)", () => {
  it("closed to the counsellor: nothing of the file to read, the name gone from the list, the parents' consent still recorded; reopened: readable again", async () => {
    const id = (expectOk(await api("POST", "/alerts", { exercise: false, content: makeContent({ child: { ...makeContent().child, firstName: "Secretia" } }), file: FILE }, as(t.cell)), 201)).body.alertId as string;
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    await nameCase(t, id);
    expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.counsellor)));

    // Who may close it: the magistrate in charge — not the cell, not another magistrate.
    expect((await api("PUT", `/alerts/${id}/file/access`, { closedTo: ["counsellor"] }, as(t.cell))).body.code).toBe("E_FORBIDDEN_ROLE");
    const other = await makeStaff("magistrate");
    expect((await api("PUT", `/alerts/${id}/file/access`, { closedTo: ["counsellor"] }, as(other))).body.code).toBe("E_NOT_ON_CASE");
    // Only to roles that do not sign: a signer must read what it signs.
    for (const signer of ["cell", "operator", "investigator", "magistrate"]) {
      const res = await api("PUT", `/alerts/${id}/file/access`, { closedTo: ["counsellor", signer] }, as(t.magistrate));
      expect(res.status, signer).toBe(422);
      expect(res.body.code, signer).toBe("E_RULE");
    }
    expect(await actions(id)).not.toContain("file_access_changed");

    expectOk(await api("PUT", `/alerts/${id}/file/access`, { closedTo: ["counsellor"] }, as(t.magistrate)));
    expect(await actions(id)).toContain("file_access_changed");

    // The counsellor's attempts to read it, every way in.
    for (const path of [`/alerts/${id}`, `/alerts/${id}/fanout`, `/alerts/${id}/members`, `/alerts/${id}/posters`, `/alerts/${id}/social`, `/alerts/${id}/live`, `/alerts/${id}/foreign-requests`, `/alerts/${id}/photos/${"ab".repeat(32)}`]) {
      const res = await api("GET", path, undefined, as(t.counsellor));
      expect(res.status, path).toBe(403);
      expect(res.body.code, path).toBe("E_FILE_CLOSED");
      expect(JSON.stringify(res.body), path).not.toContain("Secretia");
    }
    const listed = (expectOk(await api("GET", "/alerts", undefined, as(t.counsellor))).body.alerts as { id: string; firstName: string | null; fileClosed: boolean }[]).find((a) => a.id === id)!;
    expect(listed.firstName).toBeNull();
    expect(listed.fileClosed).toBe(true);
    // The signers still read it.
    expect(expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.operator))).body.file.closedTo).toEqual(["counsellor"]);
    // The parents' side needs no reading of the file: the counsellor records it.
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent" }, as(t.counsellor)));
    expect(expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.readiness.consentSettled).toBe(true);

    // Reopened by the magistrate in charge: readable again.
    expectOk(await api("PUT", `/alerts/${id}/file/access`, { closedTo: [] }, as(t.magistrate)));
    expect(expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.counsellor))).body.file.closedTo).toEqual([]);
  });
});
