import { describe, expect, it } from "vitest";
import { AppError, type ErrorCode } from "../errors.ts";
import {
  AlertContent,
  type AlertSnapshot,
  type Role,
  canTransition,
  checkExtend,
  publicFace,
  STAFF_STOP_REASONS,
  STOP_REASONS,
  checkCancel,
  checkConsent,
  checkLaunch,
  checkLiftObjection,
  checkObjection,
  checkOneSeat,
  checkSignOff,
  checkStop,
  contentHash,
  decideEdit,
  decideSubmit,
  hotlineChangeAllowed,
  publishableContent,
  readiness,
  type SignOffKind,
  stateAfterSignOff,
  STATES,
  type VersionView,
} from "./index.ts";

const content = (over: Record<string, unknown> = {}) =>
  AlertContent.parse({
    child: { firstName: "Lina", age: 9, description: { fr: "Cheveux bruns, yeux bleus.", nl: "Bruin haar, blauwe ogen." } },
    lastSeen: { place: { fr: "Namur", nl: "Namen" }, at: "2026-11-23T07:30:00+01:00" },
    targeting: { regions: ["BE"], languages: ["fr", "nl"] },
    purposeAttestation: true,
    ...over,
  });

const v1: VersionView = { id: "v1", number: 1, contentHash: "h1", content: content() };

function snap(over: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    id: "a1",
    kind: "child_alert",
    socialRequested: false,
    state: "concertation",
    exercise: false,
    current: v1,
    pending: null,
    signOffs: [],
    consents: [],
    objections: [],
    launchedAt: null,
    endsAt: null,
    extensions: 0,
    // The people named on the case: `by(role)`'s default ids.
    members: { magistrate: "new-magistrate", investigators: ["new-investigator"] },
    // The case's judicial file, named (protocol §2.3.1).
    file: { pvNumber: "NA.12.L1.012345/2026", magistrateRef: null, closedTo: [] },
    ...over,
  };
}

const signed = (...kinds: SignOffKind[]) =>
  kinds.map((kind) => ({ kind, versionId: "v1", contentHash: "h1", userId: `u-${kind}`, voided: false }));

/** A signer: someone new in the role, unless a user id is given. */
const by = (role: Role, userId = `new-${role}`) => ({ userId, role });

const DECISION = {
  criteria: { minorOrProtected: true, immediateDanger: true, enoughInformation: true, broadcastNotRiskier: true },
  riskAssessment: "Weighed: publicity is safer for the child than silence.",
};

function refusal(fn: () => unknown): ErrorCode {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  throw new Error("expected a refusal, got none");
}

const ready = () =>
  snap({ state: "authorised", signOffs: signed("investigator", "cell", "operator", "authorisation"), consents: ["parental_consent"] });

describe("lifecycle transitions", () => {
  it("every pair of states (64): allowed exactly as the protocol says, refused otherwise", () => {
    const allowed = new Set([
      "draft→concertation", "draft→cancelled", "draft→blocked", "draft→purged",
      "concertation→authorised", "concertation→blocked", "concertation→cancelled", "concertation→concertation", "concertation→purged",
      // Withdrawn before the launch is a cancel (DOMAIN.md): an authorised alert is never "stopped" — nothing went out.
      "authorised→live", "authorised→concertation", "authorised→blocked", "authorised→cancelled", "authorised→purged",
      // Lifted: back to concertation, or to draft for a draft blocked before submission (never submitted by a side path).
      "blocked→concertation", "blocked→draft", "blocked→cancelled", "blocked→blocked", "blocked→purged",
      "live→live", "live→stopped",
      "stopped→purged",
      "cancelled→purged",
    ]);
    let pairs = 0;
    for (const from of STATES) {
      for (const to of STATES) {
        pairs++;
        expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed.has(`${from}→${to}`));
      }
    }
    expect(pairs).toBe(64);
  });
  it("allows exactly the documented transitions", () => {
    expect(canTransition("draft", "concertation")).toBe(true);
    expect(canTransition("concertation", "authorised")).toBe(true);
    expect(canTransition("authorised", "live")).toBe(true);
    expect(canTransition("live", "stopped")).toBe(true);
    expect(canTransition("stopped", "purged")).toBe(true);
    expect(canTransition("blocked", "concertation")).toBe(true);
    expect(canTransition("cancelled", "purged")).toBe(true);
  });
  it("refuses skipping steps or going back from the end", () => {
    expect(canTransition("draft", "live")).toBe(false);
    expect(canTransition("concertation", "live")).toBe(false);
    expect(canTransition("stopped", "live")).toBe(false);
    expect(canTransition("purged", "draft")).toBe(false);
    expect(canTransition("live", "draft")).toBe(false);
    for (const s of STATES) expect(canTransition("purged", s)).toBe(false);
  });
  it("submits only a draft", () => {
    expect(decideSubmit(snap({ state: "draft" }))).toBe("concertation");
    expect(refusal(() => decideSubmit(snap({ state: "concertation" })))).toBe("E_INVALID_TRANSITION");
  });
  it("rule 11 needs a judicial file to compare with: no submission without the PV number", () => {
    expect(refusal(() => decideSubmit(snap({ state: "draft", file: { pvNumber: null, magistrateRef: null, closedTo: [] } })))).toBe("E_PV_MISSING");
  });
  it("extends only a live alert", () => {
    expect(refusal(() => checkExtend(snap({ state: "authorised" }), null))).toBe("E_INVALID_TRANSITION");
    expect(refusal(() => checkExtend(snap({ state: "stopped" }), new Date().toISOString()))).toBe("E_INVALID_TRANSITION");
  });
  it("leaves \"expired\" to the system: no person may choose it", () => {
    expect(STAFF_STOP_REASONS).not.toContain("expired");
    expect(STOP_REASONS.filter((r) => r !== "expired")).toEqual([...STAFF_STOP_REASONS]);
  });
  it("a stop before the launch withdraws the alert as a cancel (nothing went out to retract); a live one is stopped", () => {
    expect(checkStop(snap({ state: "authorised" }), "found_safe")).toBe("cancelled");
    expect(checkStop(snap({ state: "live", endsAt: new Date().toISOString() }), "found_safe")).toBe("stopped");
    expect(refusal(() => checkStop(snap({ state: "concertation" }), "found_safe"))).toBe("E_INVALID_TRANSITION");
  });
  it("cancels before launch, never after", () => {
    expect(() => checkCancel(snap({ state: "authorised" }))).not.toThrow();
    expect(refusal(() => checkCancel(snap({ state: "live" })))).toBe("E_INVALID_TRANSITION");
  });
});

describe("rule 1 — the magistrate decides, with a written risk assessment and the criteria", () => {
  const base = () => snap({ signOffs: signed("investigator", "cell", "operator"), consents: ["parental_consent"] });
  it("accepts the authorisation when everything is in place, and moves to authorised", () => {
    expect(() => checkSignOff(base(), "authorisation", by("magistrate"), DECISION)).not.toThrow();
    expect(stateAfterSignOff(base(), "authorisation").state).toBe("authorised");
  });
  it("only the magistrate authorises", () => {
    expect(refusal(() => checkSignOff(base(), "authorisation", by("cell"), DECISION))).toBe("E_FORBIDDEN_ROLE");
  });
  it("refuses without a risk assessment, or a perfunctory one", () => {
    expect(refusal(() => checkSignOff(base(), "authorisation", by("magistrate")))).toBe("E_RULE");
    expect(refusal(() => checkSignOff(base(), "authorisation", by("magistrate"), { ...DECISION, riskAssessment: "ok" }))).toBe("E_RULE");
  });
  it("refuses when a launch criterion is not met", () => {
    const d = { ...DECISION, criteria: { ...DECISION.criteria, broadcastNotRiskier: false } };
    expect(refusal(() => checkSignOff(base(), "authorisation", by("magistrate"), d))).toBe("E_CRITERIA_NOT_MET");
  });
});

describe("rule 2 — concertation sign-offs bound to the content hash", () => {
  it("the authorisation waits for the investigators, the cell and the operator", () => {
    const s = snap({ signOffs: signed("investigator", "cell"), consents: ["parental_consent"] });
    expect(refusal(() => checkSignOff(s, "authorisation", by("magistrate"), DECISION))).toBe("E_SIGNOFFS_PENDING");
    expect(readiness(s).missingSignOffs).toEqual(["operator", "authorisation"]);
    expect(readiness(s).waitingOn).toEqual(expect.arrayContaining(["operator", "magistrate"]));
  });
  it("names the first thing that blocks the launch, in the order the launch is refused", () => {
    const blocker = (over: Partial<AlertSnapshot>) => readiness(snap(over)).launchBlocker;
    expect(blocker({ state: "draft" })).toBe("state");
    expect(blocker({ state: "blocked", objections: [{ id: "o", kind: "operator_refusal", lifted: false, raisedBy: "new-operator" }], signOffs: signed("investigator") })).toBe("objections");
    expect(blocker({ signOffs: signed("investigator", "cell") })).toBe("sign_offs");
    expect(blocker({ signOffs: signed("investigator", "cell", "operator") })).toBe("consent");
    expect(blocker({ signOffs: signed("investigator", "cell", "operator"), consents: ["parental_consent"] })).toBe("authorisation");
    expect(readiness(ready()).launchBlocker).toBeNull();
    expect(blocker({ state: "live" })).toBeNull();
    expect(blocker({ state: "stopped" })).toBeNull();
  });
  it("shows the public an alert only once launched; after its end only found/ended; never one that did not go out", () => {
    const launchedAt = "2026-11-23T06:00:00.000Z";
    expect(publicFace({ state: "live", launchedAt, stopReason: null })).toBe("alert");
    expect(publicFace({ state: "stopped", launchedAt, stopReason: "found_safe" })).toBe("found");
    expect(publicFace({ state: "stopped", launchedAt, stopReason: "expired" })).toBe("ended");
    expect(publicFace({ state: "purged", launchedAt, stopReason: "withdrawn" })).toBe("ended");
    for (const state of STATES.filter((x) => x !== "live")) expect(publicFace({ state, launchedAt: null, stopReason: "found_safe" }), state).toBe("none");
  });
  it("says who the alert is waiting on in every state before launch", () => {
    expect(readiness(snap({ state: "draft" })).waitingOn).toEqual(["cell", "investigator"]);
    expect(readiness(ready()).waitingOn).toEqual(["cell", "operator"]);
    const blocked = snap({ state: "blocked", objections: [{ id: "o", kind: "magistrate_opposition", lifted: false, raisedBy: "new-magistrate" }] });
    expect(readiness(blocked).waitingOn).toEqual(["magistrate"]);
    expect(readiness(snap({ state: "stopped" })).waitingOn).toEqual([]);
  });
  it("each role signs only its own part, once", () => {
    expect(refusal(() => checkSignOff(snap(), "operator", by("cell")))).toBe("E_FORBIDDEN_ROLE");
    expect(refusal(() => checkSignOff(snap({ signOffs: signed("cell") }), "cell", by("cell")))).toBe("E_ALREADY_SIGNED");
  });
  it("one person, one seat: after a role change the same person cannot sign a second part, nor authorise", () => {
    // u-investigator signed as investigator; an admin then made them cell, operator, magistrate.
    const s = snap({ signOffs: signed("investigator"), consents: ["parental_consent"] });
    expect(refusal(() => checkSignOff(s, "cell", by("cell", "u-investigator")))).toBe("E_ONE_SEAT");
    expect(refusal(() => checkSignOff(s, "operator", by("operator", "u-investigator")))).toBe("E_ONE_SEAT");
    const all = snap({ signOffs: signed("investigator", "cell", "operator"), consents: ["parental_consent"] });
    expect(refusal(() => checkSignOff(all, "authorisation", by("magistrate", "u-operator"), DECISION))).toBe("E_ONE_SEAT");
    // A voided sign-off (earlier content) still holds the seat.
    const voided = snap({ signOffs: signed("cell").map((o) => ({ ...o, voided: true })) });
    expect(refusal(() => checkSignOff(voided, "investigator", by("investigator", "u-cell")))).toBe("E_ONE_SEAT");
    // The magistrate's two parts are one seat; someone else signs the rest.
    const authorised = snap({ state: "authorised", signOffs: [...signed("investigator", "cell", "operator"), ...signed("authorisation").map((o) => ({ ...o, userId: "judge" }))], consents: ["parental_consent"] });
    expect(() => checkOneSeat(authorised, "accompanying_person", "judge")).not.toThrow();
    expect(() => checkSignOff(s, "cell", by("cell"))).not.toThrow();
  });
  it("sign-offs are given during concertation, not on a draft", () => {
    expect(refusal(() => checkSignOff(snap({ state: "draft" }), "cell", by("cell")))).toBe("E_INVALID_TRANSITION");
  });
  it("a sign-off on another hash of the same version does not count", () => {
    const stale = signed("investigator", "cell", "operator", "authorisation").map((o) => ({ ...o, contentHash: "old" }));
    expect(readiness(snap({ signOffs: stale })).missingSignOffs).toHaveLength(4);
  });
  it("any change of content is a new version and drops an authorised alert back to concertation", () => {
    expect(decideEdit(ready(), "h2", content())).toEqual({ kind: "new_version", nextState: "concertation", asPending: false });
    expect(decideEdit(ready(), "h1", content())).toEqual({ kind: "unchanged" });
  });
  it("the hash covers every field, photos, targeting, the exercise flag and the alert id", async () => {
    const c = content();
    const h = await contentHash("a1", false, c);
    expect(await contentHash("a1", false, content())).toBe(h);
    expect(await contentHash("a2", false, c)).not.toBe(h);
    expect(await contentHash("a1", true, c)).not.toBe(h);
    expect(await contentHash("a1", false, content({ targeting: { regions: ["BE-WNA"], languages: ["fr", "nl"] } }))).not.toBe(h);
    const withPhoto = content({ child: { ...c.child, photos: ["a".repeat(64)] } });
    expect(await contentHash("a1", false, withPhoto)).not.toBe(h);
  });
  it("the hash covers the instant last seen, not how it was written", async () => {
    const at = (v: string) => content({ lastSeen: { place: { fr: "Namur", nl: "Namen" }, at: v } });
    const h = await contentHash("a1", false, at("2026-11-23T07:30:00+01:00"));
    expect(await contentHash("a1", false, at("2026-11-23T06:30:00.000Z"))).toBe(h);
    expect(await contentHash("a1", false, at("2026-11-23T06:30:00Z"))).toBe(h);
    expect(await contentHash("a1", false, at("2026-11-23T07:31:00+01:00"))).not.toBe(h);
  });
  it("the hash does not depend on key order", async () => {
    const a = content();
    const reordered = AlertContent.parse(JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(a).reverse()))));
    expect(await contentHash("a1", false, reordered)).toBe(await contentHash("a1", false, a));
  });
});

describe("rule 3 — the parents' side", () => {
  const s = () => snap({ signOffs: signed("investigator", "cell", "operator") });
  it("blocks authorisation and launch until settled", () => {
    expect(refusal(() => checkSignOff(s(), "authorisation", by("magistrate"), DECISION))).toBe("E_CONSENT_MISSING");
    expect(refusal(() => checkLaunch({ ...ready(), consents: [] }))).toBe("E_CONSENT_MISSING");
  });
  it("accepts each of the three bases from the right person", () => {
    expect(() => checkConsent(s(), "parental_consent", "counsellor", undefined)).not.toThrow();
    expect(() => checkConsent(s(), "magistrate_requisition", "magistrate", undefined)).not.toThrow();
    expect(() => checkConsent(s(), "operator_danger_assessment", "operator", "Not broadcasting leaves the child exposed.")).not.toThrow();
  });
  it("refuses a basis recorded by the wrong person", () => {
    expect(refusal(() => checkConsent(s(), "magistrate_requisition", "counsellor", undefined))).toBe("E_FORBIDDEN_ROLE");
    expect(refusal(() => checkConsent(s(), "parental_consent", "cell", undefined))).toBe("E_FORBIDDEN_ROLE");
  });
  it("the operator's danger assessment must be written", () => {
    expect(refusal(() => checkConsent(s(), "operator_danger_assessment", "operator", "risky"))).toBe("E_RULE");
  });
});

describe("rule 4 — operator refusal and magistrate opposition", () => {
  it("either one blocks, with a written reason, from its own author", () => {
    expect(checkObjection(snap(), "operator_refusal", by("operator"), "The material is not verified.")).toBe("blocked");
    expect(checkObjection(ready(), "magistrate_opposition", by("magistrate"), "Broadcast would endanger the child.")).toBe("blocked");
    expect(refusal(() => checkObjection(snap(), "operator_refusal", by("magistrate"), "Not verified yet."))).toBe("E_FORBIDDEN_ROLE");
    expect(refusal(() => checkObjection(snap(), "operator_refusal", by("operator"), "no"))).toBe("E_RULE");
  });
  it("a blocked alert can neither be authorised nor launched", () => {
    const objections = [{ id: "o1", kind: "operator_refusal" as const, lifted: false, raisedBy: "new-operator" }];
    const s = snap({ state: "blocked", signOffs: signed("investigator", "cell", "operator"), consents: ["parental_consent"], objections });
    expect(refusal(() => checkSignOff({ ...s, state: "concertation" }, "authorisation", by("magistrate"), DECISION))).toBe("E_BLOCKED");
    expect(refusal(() => checkLaunch({ ...ready(), objections }))).toBe("E_BLOCKED");
  });
  it("a draft blocked before submission goes back to draft when lifted, never straight into concertation", () => {
    const o = { id: "o1", kind: "operator_refusal" as const, lifted: false, raisedBy: "new-operator", fromState: "draft" as const };
    expect(checkLiftObjection(snap({ state: "blocked", objections: [o] }), o, by("operator"))).toBe("draft");
    const fromConcertation = { ...o, fromState: "concertation" as const };
    expect(checkLiftObjection(snap({ state: "blocked", objections: [fromConcertation] }), fromConcertation, by("operator"))).toBe("concertation");
  });
  it("lifting the last objection returns to concertation; only its author lifts it", () => {
    const o = { id: "o1", kind: "magistrate_opposition" as const, lifted: false, raisedBy: "new-magistrate" };
    const s = snap({ state: "blocked", objections: [o] });
    expect(checkLiftObjection(s, o, by("magistrate"))).toBe("concertation");
    expect(refusal(() => checkLiftObjection(s, o, by("operator")))).toBe("E_FORBIDDEN_ROLE");
    // Another magistrate, not in charge and not its author, may not lift it (DOMAIN: the one who opposed, or the one in charge).
    expect(refusal(() => checkLiftObjection(s, o, by("magistrate", "another-magistrate")))).toBe("E_NOT_ON_CASE");
    const handedOver = snap({ state: "blocked", objections: [o], members: { magistrate: "successor", investigators: [] } });
    expect(checkLiftObjection(handedOver, o, by("magistrate", "successor"))).toBe("concertation");
    // An operator's refusal: its author lifts it, not another operator.
    const refusalByAnn = { id: "o3", kind: "operator_refusal" as const, lifted: false, raisedBy: "ann" };
    expect(refusal(() => checkLiftObjection(snap({ state: "blocked", objections: [refusalByAnn] }), refusalByAnn, by("operator", "bob")))).toBe("E_NOT_ON_CASE");
    const two = snap({ state: "blocked", objections: [o, { id: "o2", kind: "operator_refusal", lifted: false, raisedBy: "new-operator" }] });
    expect(checkLiftObjection(two, o, by("magistrate"))).toBe("blocked");
  });
  it("a live alert is not 'opposed': it is stopped", () => {
    expect(refusal(() => checkObjection(snap({ state: "live" }), "magistrate_opposition", by("magistrate"), "Too dangerous now."))).toBe(
      "E_INVALID_TRANSITION",
    );
  });
});

describe("rule 5 — purpose attestation", () => {
  it("content without the attestation is invalid", () => {
    const r = AlertContent.safeParse({ ...content(), purposeAttestation: false });
    expect(r.success).toBe(false);
  });
  it("adults only under protected status", () => {
    expect(AlertContent.safeParse({ ...content(), child: { ...content().child, age: 19 } }).success).toBe(false);
    expect(AlertContent.safeParse({ ...content(), child: { ...content().child, age: 19, protectedAdult: true } }).success).toBe(true);
  });
});

describe("rule 6 — the accompanying person is published only on the magistrate's separate authorisation", () => {
  const withPerson: VersionView = {
    ...v1,
    content: content({ accompanyingPerson: { description: { fr: "Homme, environ 40 ans, veste grise.", nl: "Man, ongeveer 40, grey jacket." } } }),
  };
  it("is withheld from the publishable content without that signature", () => {
    const s = snap({ current: withPerson, signOffs: signed("investigator", "cell", "operator", "authorisation") });
    expect(publishableContent(s, withPerson)?.accompanyingPerson).toBeUndefined();
    expect(publishableContent(s, withPerson)?.child.firstName).toBe("Lina");
  });
  it("needs the magistrate's written terms", () => {
    const s = snap({ current: withPerson });
    expect(refusal(() => checkSignOff(s, "accompanying_person", by("magistrate")))).toBe("E_RULE");
    expect(() => checkSignOff(s, "accompanying_person", by("magistrate"), { terms: "Description only, no name." })).not.toThrow();
  });
  it("is published with it", () => {
    const s = snap({ current: withPerson, signOffs: signed("accompanying_person") });
    expect(publishableContent(s, withPerson)?.accompanyingPerson?.description.nl).toContain("grey jacket");
  });
  it("cannot be authorised on a version without that section", () => {
    expect(refusal(() => checkSignOff(snap(), "accompanying_person", by("magistrate")))).toBe("E_RULE");
  });
});

describe("rule 8 — hotline numbers", () => {
  it("only the operator may leave them out", () => {
    const off = content({ showHotline: false });
    expect(hotlineChangeAllowed("cell", null, off)).toBe(false);
    expect(hotlineChangeAllowed("operator", null, off)).toBe(true);
    expect(hotlineChangeAllowed("cell", off, off)).toBe(true);
    expect(content().showHotline).toBe(true);
  });
});

describe("launch", () => {
  it("launches an authorised alert with every sign-off and consent", () => {
    expect(() => checkLaunch(ready())).not.toThrow();
    expect(readiness(ready()).canLaunch).toBe(true);
  });
  it("refuses without the magistrate's authorisation on the current hash", () => {
    const s = { ...ready(), signOffs: signed("investigator", "cell", "operator") };
    expect(refusal(() => checkLaunch(s))).toBe("E_NOT_AUTHORISED");
    const voided = { ...ready(), signOffs: ready().signOffs.map((o) => (o.kind === "authorisation" ? { ...o, voided: true } : o)) };
    expect(refusal(() => checkLaunch(voided))).toBe("E_NOT_AUTHORISED");
  });
  it("refuses from any state but authorised", () => {
    expect(refusal(() => checkLaunch({ ...ready(), state: "concertation" }))).toBe("E_INVALID_TRANSITION");
    expect(refusal(() => checkLaunch({ ...ready(), state: "live" }))).toBe("E_INVALID_TRANSITION");
    expect(refusal(() => checkLaunch({ ...ready(), state: "stopped" }))).toBe("E_INVALID_TRANSITION");
  });
});

describe("rule 11 — updates while live", () => {
  const live = () => ({ ...ready(), state: "live" as const });
  it("an edit while live is a pending version; the published one stays", () => {
    expect(decideEdit(live(), "h2", content())).toEqual({ kind: "new_version", nextState: "live", asPending: true });
  });
  it("a pending update needs only the magistrate's authorisation, which publishes it", () => {
    const pending: VersionView = { ...v1, id: "v2", number: 2, contentHash: "h2" };
    const s = { ...live(), pending };
    expect(() => checkSignOff(s, "authorisation", by("magistrate"), DECISION)).not.toThrow();
    expect(stateAfterSignOff(s, "authorisation")).toEqual({ state: "live", publishPending: true });
    expect(refusal(() => checkSignOff(s, "cell", by("cell")))).toBe("E_INVALID_TRANSITION");
  });
  it("with no pending update there is nothing to authorise", () => {
    expect(refusal(() => checkSignOff(live(), "authorisation", by("magistrate"), DECISION))).toBe("E_INVALID_TRANSITION");
  });
});

describe("rule 12 — stop", () => {
  it("stops a live alert, and an authorised one found before launch", () => {
    expect(() => checkStop({ ...ready(), state: "live" }, "found_safe")).not.toThrow();
    expect(() => checkStop(ready(), "found_safe")).not.toThrow();
  });
  it("refuses to stop what never started or already ended", () => {
    expect(refusal(() => checkStop(snap({ state: "draft" }), "found_safe"))).toBe("E_INVALID_TRANSITION");
    expect(refusal(() => checkStop(snap({ state: "stopped" }), "found_safe"))).toBe("E_INVALID_TRANSITION");
    expect(refusal(() => checkStop(ready(), "expired"))).toBe("E_INVALID_TRANSITION");
  });
});
