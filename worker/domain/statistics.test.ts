import { describe, expect, it } from "vitest";
import { channelFigures, courseFigures, median, outcomeOf, tipFigures, yearTotals } from "./index.ts";

const course = (over: Partial<Parameters<typeof courseFigures>[0]> = {}) => ({
  exercise: false,
  kind: "child_alert" as const,
  state: "stopped",
  launchedAt: "2026-03-01T10:00:00.000Z",
  stoppedAt: "2026-03-01T13:30:00.000Z",
  stopReason: "found_safe",
  extensions: 1,
  published: 3,
  ...over,
});

describe("rule 15: the statistics' definition", () => {
  it("an alert launched at any point counts as launched; otherwise by how it ended", () => {
    expect(outcomeOf(course())).toBe("launched");
    expect(outcomeOf(course({ state: "purged" }))).toBe("launched");
    expect(outcomeOf(course({ launchedAt: null, state: "cancelled" }))).toBe("cancelled");
    expect(outcomeOf(course({ launchedAt: null, state: "purged", stopReason: "cancelled" }))).toBe("cancelled");
    expect(outcomeOf(course({ launchedAt: null, state: "blocked", stopReason: null }))).toBe("blocked");
    expect(outcomeOf(course({ launchedAt: null, state: "purged", stopReason: null }))).toBe("not_launched");
  });

  it("duration from launch to end in minutes, updates are published versions after the first, no end for what never went out", () => {
    expect(courseFigures(course())).toEqual({
      exercise: false,
      kind: "child_alert",
      outcome: "launched",
      launchedAt: "2026-03-01T10:00:00.000Z",
      endedAt: "2026-03-01T13:30:00.000Z",
      durationMinutes: 210,
      extensions: 1,
      endReason: "found_safe",
      updates: 2,
    });
    const never = courseFigures(course({ launchedAt: null, stoppedAt: "2026-03-01T11:00:00.000Z", stopReason: "cancelled", published: 0 }));
    expect(never).toMatchObject({ endedAt: null, durationMinutes: null, endReason: null, updates: 0 });
    expect(courseFigures(course({ stoppedAt: null })).durationMinutes).toBeNull(); // still live
  });

  it("per channel: content deliveries (alert + updates) apart from retractions", () => {
    expect(
      channelFigures([
        { event: "alert", sent: 10, failed: 1 },
        { event: "update", sent: 8, failed: 0 },
        { event: "stop", sent: 9, failed: 2 },
      ]),
    ).toEqual({ sent: 18, failed: 1, retractions: 9 });
  });

  it("totals: exercises never count as alerts; medians and deliveries of launched real alerts only", () => {
    const tips = (n: number, useful = 0) => tipFigures(Array.from({ length: n }, (_, i) => ({ source: i % 2 ? "call" : "web", ackedAt: "x", useful: i < useful })));
    const withCh = (c: ReturnType<typeof courseFigures>, sent: number, t = tips(0)) => ({ ...c, channels: { push: { sent, failed: 0, retractions: 0 } }, tips: t });
    const totals = yearTotals(
      [
        withCh(courseFigures(course()), 100, tips(3, 1)),
        withCh(courseFigures(course({ stoppedAt: "2026-03-01T11:00:00.000Z", stopReason: "expired" })), 50, tips(2)),
        withCh(courseFigures(course({ exercise: true })), 7, tips(9, 9)),
        withCh(courseFigures(course({ launchedAt: null, state: "cancelled", stopReason: "cancelled" })), 0),
        withCh(courseFigures(course({ launchedAt: null, state: "blocked", stopReason: null })), 0),
        // Issue 29: search notices are counted apart — never in the Child Alerts' figures.
        withCh(courseFigures(course({ kind: "search_notice", stoppedAt: "2026-03-15T10:00:00.000Z" })), 0, tips(4, 2)),
        withCh(courseFigures(course({ kind: "search_notice", stoppedAt: "2026-03-29T10:00:00.000Z", stopReason: "withdrawn" })), 0, tips(1)),
        withCh(courseFigures(course({ kind: "search_notice", launchedAt: null, state: "cancelled", stopReason: "cancelled" })), 0),
        withCh(courseFigures(course({ kind: "search_notice", exercise: true })), 0, tips(5)),
      ],
      ["push"],
    );
    expect(totals).toEqual({
      launched: 2,
      exercises: 1,
      cancelledBeforeLaunch: 1,
      blocked: 1,
      medianDurationMinutes: 135,
      sent: { push: 150 },
      foundSafe: 1,
      tips: 5,
      usefulTips: 1,
      // Two published (14 and 28 days), one found safe, one abandoned before publication; the exercise nowhere.
      searchNotices: { published: 2, cancelledBeforePublication: 1, blocked: 0, foundSafe: 1, medianDurationMinutes: 30_240, tips: 5, usefulTips: 2 },
    });
    expect(tips(3, 1)).toEqual({ total: 3, web: 2, call: 1, acknowledged: 3, useful: 1 });
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
  });
});
