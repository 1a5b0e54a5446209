import { describe, expect, it } from "vitest";
import { endingEvent, INFORM_EVENTS, INFORMED, signOffRequested, toAuthorityMailboxes, whoIsInformed } from "./inform.ts";
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
    expect(toAuthorityMailboxes("partner_webhook_off")).toBe(false);
    expect(whoIsInformed("social_post_stuck")).toEqual(["operator", "cell"]);
    expect(toAuthorityMailboxes("social_post_stuck")).toBe(false);
  });

  it("covers every event it names", () => {
    expect(Object.keys(INFORMED).sort()).toEqual(["account_approval_needed", "account_change_approved", "expired", "extended", "launched", "partner_webhook_off", "purge_soon", "review_due", "social_post_stuck", "stopped", "tip_received", "tip_unacknowledged", "tip_urgent", "updated", "withdrawn_before_launch"]);
  });

  it("asks every signing party for a submitted version, and only the magistrate for a new version of a live alert", () => {
    expect([...signOffRequested("concertation")].sort()).toEqual(["cell", "investigator", "magistrate", "operator"]);
    expect(signOffRequested("live")).toEqual(["magistrate"]);
    for (const s of ["draft", "authorised", "blocked", "stopped", "cancelled", "purged"] as const) expect(signOffRequested(s)).toEqual([]);
  });

  it("mails the police and cell mailboxes the rule 9 events only", () => {
    const mailed = INFORM_EVENTS.filter(
      toAuthorityMailboxes,
    );
    expect(mailed).toEqual(["launched", "updated", "extended", "stopped", "expired", "withdrawn_before_launch"]);
  });
});
