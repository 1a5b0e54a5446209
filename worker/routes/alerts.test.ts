import { beforeAll, describe, expect, it } from "vitest";
import { alertDetail } from "../db/alerts.ts";
import {
  api,
  as,
  authorisedAlert,
  createAlert,
  db,
  DECISION,
  expectOk,
  liveAlert,
  makeContent,
  makeTeam, nameCase,
  signOff,
  type Team,
} from "../test/helpers.ts";

let t: Team;
beforeAll(async () => {
  t = await makeTeam();
});

describe("the full lifecycle over the API", () => {
  it("goes draft → concertation → authorised → live → stopped with passkey sign-offs", async () => {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    expect((await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.state).toBe("draft");

    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    for (const [who, kind] of [
      [t.investigator, "investigator"],
      [t.cell, "cell"],
      [t.operator, "operator"],
    ] as const) {
      const res = expectOk(await signOff(who, id, kind));
      expect(res.body.state).toBe("concertation");
    }
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "parental_consent" }, as(t.counsellor)));
    const auth = expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    expect(auth.body.state).toBe("authorised");

    const launch = expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell)));
    expect(launch.body.state).toBe("live");
    const liveView = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(liveView.signOffs.every((o: { valid: boolean }) => o.valid)).toBe(true); // the published version's sign-offs still count
    expect(Date.parse(launch.body.endsAt) - Date.now()).toBeGreaterThan(5.9 * 3_600_000);

    const stop = expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.magistrate)));
    expect(stop.body.state).toBe("stopped");

    const audit = expectOk(await api("GET", `/alerts/${id}/audit`, undefined, as(t.operator)));
    expect(audit.body.entries.map((e: { action: string }) => e.action).filter((a: string) => a !== "broadcast_completed")).toEqual([
      "created",
      "case_member_added",
      "case_magistrate_named",
      "submitted",
      "signed_off",
      "signed_off",
      "signed_off",
      "consent_recorded",
      "signed_off",
      "authorised",
      "launched",
      "stopped",
    ]);
    expect(audit.body.chain.ok).toBe(true);
  });

  it("stores each sign-off with the assertion that proves it, bound to the content hash", async () => {
    const id = await authorisedAlert(t);
    const detail = await alertDetail(db(), id);
    const version = detail.versions[0]!;
    expect(detail.signOffs).toHaveLength(4);
    for (const o of detail.signOffs) expect(o.contentHash).toBe(version.contentHash);
    const view = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.magistrate))).body;
    expect(view.signOffs.every((o: { valid: boolean }) => o.valid)).toBe(true);
    expect(view.readiness.canLaunch).toBe(true);
  });

  it("informs the cell and the investigators at launch, and every seat of the concertation at the stop (rules 9, 12)", async () => {
    const id = await liveAlert(t);
    expectOk(await api("POST", `/alerts/${id}/stop`, { reason: "found_safe" }, as(t.cell)));
    const rows = await db().query.notifications.findMany({ where: (n, { and, eq, ne }) => and(eq(n.alertId, id), ne(n.event, "signoff_requested")) });
    const got = rows.map((r) => `${r.event}:${r.recipientRole}`).sort();
    // Rule 9: the police and the cell at launch; rule 12: every seat of the concertation at the stop (the foundation and the magistrate in charge too).
    expect(got).toEqual(["launched:cell", "launched:investigator", "stopped:cell", "stopped:investigator", "stopped:magistrate", "stopped:operator"]);
  });

  it("informs them when an authorised alert is withdrawn before it ever went live; a draft's cancel informs no one", async () => {
    const informed = async (id: string) =>
      (await db().query.notifications.findMany({ where: (n, { and, eq, ne }) => and(eq(n.alertId, id), ne(n.event, "signoff_requested")) }))
        .map((r) => `${r.event}:${r.recipientRole}`)
        .sort();
    const authorised = await authorisedAlert(t);
    expectOk(await api("POST", `/alerts/${authorised}/cancel`, undefined, as(t.cell)));
    expect(await informed(authorised)).toEqual(["withdrawn_before_launch:cell", "withdrawn_before_launch:investigator"]);
    const draft = await createAlert(t.cell);
    await nameCase(t, draft);
    expectOk(await api("POST", `/alerts/${draft}/cancel`, undefined, as(t.cell)));
    expect(await informed(draft)).toEqual([]);
  });
});

describe("edits reset sign-offs (rule 2)", () => {
  it("a content change after authorisation sends the alert back to concertation with no valid sign-off", async () => {
    const id = await authorisedAlert(t);
    const edited = makeContent({ circumstances: "Seen getting into a grey car near the station." });
    const res = expectOk(await api("PUT", `/alerts/${id}/content`, { content: edited }, as(t.cell)));
    expect(res.body.state).toBe("concertation");
    const view = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(view.versions).toHaveLength(2);
    expect(view.signOffs.filter((o: { valid: boolean }) => o.valid)).toHaveLength(0);
    expect(view.readiness.missingSignOffs).toEqual(["investigator", "cell", "operator", "authorisation"]);
    const launch = await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell));
    expect(launch.status).toBe(409);
    expect(launch.body.code).toBe("E_INVALID_TRANSITION");
  });

  it("saving identical content creates no version and keeps the sign-offs", async () => {
    const id = await authorisedAlert(t);
    const res = expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent() }, as(t.cell)));
    expect(res.body.changed).toBe(false);
    expect(res.body.state).toBe("authorised");
  });

  it("a sign-off whose ceremony began before an edit is refused (409 E_CONTENT_CHANGED)", async () => {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    expectOk(await api("POST", `/alerts/${id}/submit`, undefined, as(t.cell)));
    const opts = expectOk(await api("POST", `/alerts/${id}/signoffs/options`, { kind: "operator" }, as(t.operator)));
    expectOk(await api("PUT", `/alerts/${id}/content`, { content: makeContent({ circumstances: "Changed meanwhile." }) }, as(t.cell)));
    const response = await t.operator.auth.get(opts.body.options);
    const res = await api("POST", `/alerts/${id}/signoffs`, { challengeId: opts.body.challengeId, response }, as(t.operator));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("E_CONTENT_CHANGED");
  });
});

describe("refusal and opposition over the API (rule 4)", () => {
  it("an operator refusal blocks, voids the authorisation, and after lifting the magistrate decides anew", async () => {
    const id = await authorisedAlert(t);
    const block = expectOk(
      await api("POST", `/alerts/${id}/objections`, { kind: "operator_refusal", reason: "The photo is not the child's." }, as(t.operator)),
    );
    expect(block.body.state).toBe("blocked");
    const launch = await api("POST", `/alerts/${id}/launch`, undefined, as(t.cell));
    expect(launch.status).toBe(409);
    expect(launch.body.code).toBe("E_BLOCKED");

    const view = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(view.readiness.waitingOn).toEqual(["operator"]);
    const objectionId = view.objections[0].id;
    const wrong = await api("POST", `/alerts/${id}/objections/${objectionId}/lift`, undefined, as(t.magistrate));
    expect(wrong.status).toBe(403);
    const lifted = expectOk(await api("POST", `/alerts/${id}/objections/${objectionId}/lift`, undefined, as(t.operator)));
    expect(lifted.body.state).toBe("concertation");

    // The earlier authorisation no longer counts; the concertation sign-offs still do.
    const after = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(after.readiness.missingSignOffs).toEqual(["authorisation"]);
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    expectOk(await api("POST", `/alerts/${id}/launch`, undefined, as(t.operator)));
  });

  it("a magistrate opposition needs a written reason", async () => {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    const res = await api("POST", `/alerts/${id}/objections`, { kind: "magistrate_opposition", reason: "no" }, as(t.magistrate));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe("E_RULE");
  });
});

describe("the parents' side over the API (rule 3)", () => {
  it("the operator's written danger assessment settles it", async () => {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    const short = await api("POST", `/alerts/${id}/consent`, { basis: "operator_danger_assessment" }, as(t.operator));
    expect(short.status).toBe(422);
    expectOk(
      await api(
        "POST",
        `/alerts/${id}/consent`,
        { basis: "operator_danger_assessment", note: "Parents unreachable; silence leaves the child exposed." },
        as(t.operator),
      ),
    );
    expect(expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body.readiness.consentSettled).toBe(true);
  });
  it("the magistrate's requisition settles it; a counsellor cannot record one", async () => {
    const id = await createAlert(t.cell);
    await nameCase(t, id);
    expect((await api("POST", `/alerts/${id}/consent`, { basis: "magistrate_requisition" }, as(t.counsellor))).status).toBe(403);
    expectOk(await api("POST", `/alerts/${id}/consent`, { basis: "magistrate_requisition" }, as(t.magistrate)));
  });
});

describe("updates while live (rule 11)", () => {
  it("an edit is a pending version; the magistrate's authorisation publishes it and informs the authorities", async () => {
    const id = await liveAlert(t);
    const before = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    const edit = expectOk(
      await api("PUT", `/alerts/${id}/content`, { content: makeContent({ vehicle: { description: "Now a black SUV" } }) }, as(t.cell)),
    );
    expect(edit.body.state).toBe("live");
    const mid = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(mid.currentVersionId).toBe(before.currentVersionId);
    expect(mid.pendingVersionId).toBe(edit.body.versionId);
    expect(mid.publishable.vehicle.description.en).toBe("Grey estate car");
    expect(mid.readiness.waitingOn).toEqual(["magistrate"]);

    expect((await signOff(t.cell, id, "cell")).status).toBe(409);
    expectOk(await signOff(t.magistrate, id, "authorisation", DECISION));
    const after = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(after.currentVersionId).toBe(edit.body.versionId);
    expect(after.pendingVersionId).toBeNull();
    expect(after.publishable.vehicle.description.en).toBe("Now a black SUV");
    const notices = await db().query.notifications.findMany({ where: (n, { and, eq }) => and(eq(n.alertId, id), eq(n.event, "updated")) });
    // Rule 9, and the foundation that runs the channels publishing it.
    expect(notices.map((n) => n.recipientRole).sort()).toEqual(["cell", "investigator", "operator"]);
  });
});

describe("the accompanying person (rule 6)", () => {
  it("is withheld from the publishable content until the magistrate signs that section", async () => {
    const content = makeContent({ accompanyingPerson: { description: "Woman, about 30, long blond hair." } });
    const id = await authorisedAlert(t, content);
    const before = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(before.publishable.accompanyingPerson).toBeUndefined();
    expect(before.versions[0].content.accompanyingPerson).toBeDefined();
    expect((await signOff(t.cell, id, "accompanying_person")).status).toBe(403);
    const noTerms = await signOff(t.magistrate, id, "accompanying_person");
    expect(noTerms.status).toBe(422);
    expectOk(await signOff(t.magistrate, id, "accompanying_person", { terms: "Description only; no name, no photo." }));
    const after = expectOk(await api("GET", `/alerts/${id}`, undefined, as(t.cell))).body;
    expect(after.publishable.accompanyingPerson.description.nl).toContain("long blond hair");
    expect(after.state).toBe("authorised");
  });
});
