import { describe, expect, it } from "vitest";
import { endingEvent, INFORM_EVENTS, mailboxesFor, signOffRequested, whoIsInformed } from "./inform.ts";
import { STATES } from "./lifecycle.ts";

describe("rule 9: who is informed of what", () => {
  it("tells the police and the missing-persons cell of launch, update, extension, stop, expiry and a withdrawal before launch (rule 9)", () => {
    for (const e of ["launched", "updated", "extended", "stopped", "expired", "withdrawn_before_launch"] as const) {
      expect(whoIsInformed(e), e).toEqual(expect.arrayContaining(["cell", "investigator"]));
    }
  });

  it("the end of a live alert reaches every seat of the concertation; an update, the foundation that runs the channels (rule 12)", () => {
    for (const e of ["stopped", "expired"] as const) expect([...whoIsInformed(e)].sort(), e).toEqual(["cell", "investigator", "magistrate", "operator"]);
    expect(whoIsInformed("updated")).toContain("operator");
  });

  it("prompts only the magistrate to review before the end", () => {
    expect(whoIsInformed("review_due")).toEqual(["magistrate"]);
  });

  it("an ending informs the authorities only for an alert that was live or authorised", () => {
    const got = Object.fromEntries(STATES.map((from) => [from, [endingEvent(from, "stopped", "found_safe"), endingEvent(from, "cancelled")]]));
    expect(got).toEqual({
      draft: [null, null],
      concertation: [null, null],
      authorised: ["withdrawn_before_launch", "withdrawn_before_launch"],
      live: ["stopped", "stopped"],
      stopped: [null, null],
      cancelled: [null, null],
      blocked: [null, null],
      purged: [null, null],
    });
    expect(endingEvent("live", "stopped", "expired")).toBe("expired");
  });

  it("tells the cell a day before an unfinished alert is purged for inactivity", () => {
    expect(whoIsInformed("purge_soon")).toEqual(["cell"]);
  });

  it("tells the operators, who run the channels, when a partner's webhook is switched off", () => {
    expect(whoIsInformed("partner_webhook_off")).toEqual(["operator"]);
    expect(mailboxesFor("partner_webhook_off")).toEqual([]);
    expect(whoIsInformed("social_post_stuck")).toEqual(["operator", "cell"]);
    expect(mailboxesFor("social_post_stuck")).toEqual([]);
  });

  it("tells someone of every event that has a fixed audience (no notice recorded for no one)", () => {
    for (const e of INFORM_EVENTS.filter((x) => x !== "signoff_requested")) expect(whoIsInformed(e).length, e).toBeGreaterThan(0);
  });

  it("asks every signing party for a submitted version, and only the magistrate for a new version of a live alert", () => {
    expect([...signOffRequested("concertation")].sort()).toEqual(["cell", "investigator", "magistrate", "operator"]);
    expect(signOffRequested("live")).toEqual(["magistrate"]);
    for (const s of ["draft", "authorised", "blocked", "stopped", "cancelled", "purged"] as const) expect(signOffRequested(s)).toEqual([]);
  });

  it("mails the police and cell mailboxes the rule 9 events only; a foreign poster request the federal prosecutor's office and the cell (protocol §2.3.3.4)", () => {
    // Rule 9, as DOMAIN.md says it: launched, updated, stopped — and what changes what is out: extension, expiry, withdrawal.
    const ruleNine = ["launched", "updated", "extended", "stopped", "expired", "withdrawn_before_launch"];
    for (const e of INFORM_EVENTS) {
      const boxes = [...mailboxesFor(e)].sort();
      if (ruleNine.includes(e)) expect(boxes, e).toEqual(["cell", "federal_police"]);
      // Protocol §2.3.3.4: the alert goes abroad (a foreign organisation's poster request, a peer system's hand-off) only once they are told.
      else if (e === "foreign_poster_request" || e === "peer_handoff") expect(boxes, e).toEqual(["cell", "federal_prosecutor"]);
      // Issue 28: a peer abroad asks us to relay its alert — the cell decides, day and night (its functional mailbox).
      else if (e === "peer_request") expect(boxes, e).toEqual(["cell"]);
      else expect(boxes, e).toEqual([]);
    }
    expect(whoIsInformed("foreign_poster_request")).toContain("cell");
    expect(whoIsInformed("peer_handoff")).toContain("cell");
    expect(whoIsInformed("peer_request")).toEqual(["cell"]);
  });

  it("issue 27: a red check tells the operator and the admin; a channel stalled mid-alert pages the operator and the cell", () => {
    for (const e of ["channel_unhealthy", "channel_healthy"] as const) expect([...whoIsInformed(e)].sort(), e).toEqual(["admin", "operator"]);
    for (const e of ["channel_stalled", "channel_recovered"] as const) expect([...whoIsInformed(e)].sort(), e).toEqual(["cell", "operator"]);
  });
});
