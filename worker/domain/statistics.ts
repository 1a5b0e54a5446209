// Rule 15: what the yearly statistics count, and how. Pure: the service feeds it what
// survives the purge (states, times, reasons, counters), never names, texts or places.

/** What became of an alert. */
export const OUTCOMES = ["launched", "cancelled", "blocked", "not_launched"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** An alert as the statistics see it: no content, only its course. */
export interface AlertCourse {
  exercise: boolean;
  /** Issue 29: a Child Alert or a search notice — counted apart. */
  kind: "child_alert" | "search_notice";
  state: string;
  launchedAt: string | null;
  stoppedAt: string | null;
  /** The stop reason; a cancel stores "cancelled". */
  stopReason: string | null;
  extensions: number;
  /** Versions published (the launch's and each authorised update). */
  published: number;
}

/** Launched at any point counts as launched, whatever came after; otherwise how it ended. */
export function outcomeOf(a: Pick<AlertCourse, "launchedAt" | "state" | "stopReason">): Outcome {
  if (a.launchedAt) return "launched";
  if (a.state === "cancelled" || a.stopReason === "cancelled") return "cancelled";
  return a.state === "blocked" ? "blocked" : "not_launched";
}

/** The figures of one alert that the statistics publish (the end and its reason only for a launched alert). */
export function courseFigures(a: AlertCourse) {
  const endedAt = a.launchedAt ? a.stoppedAt : null;
  return {
    exercise: a.exercise,
    kind: a.kind,
    outcome: outcomeOf(a),
    launchedAt: a.launchedAt,
    endedAt,
    /** From launch to stop or expiry, in whole minutes; null while live or never launched. */
    durationMinutes: a.launchedAt && endedAt ? Math.round((Date.parse(endedAt) - Date.parse(a.launchedAt)) / 60_000) : null,
    extensions: a.extensions,
    endReason: a.launchedAt ? a.stopReason : null,
    /** Published updates: every published version after the first. */
    updates: Math.max(0, a.published - 1),
  };
}

/** Per channel: content messages delivered and refused (alert + updates), and retractions delivered. */
export interface ChannelFigures {
  sent: number;
  failed: number;
  retractions: number;
}

export function channelFigures(fanouts: readonly { event: string; sent: number; failed: number }[]): ChannelFigures {
  const content = fanouts.filter((f) => f.event === "alert" || f.event === "update");
  return {
    sent: content.reduce((n, f) => n + f.sent, 0),
    failed: content.reduce((n, f) => n + f.failed, 0),
    retractions: fanouts.filter((f) => f.event === "stop").reduce((n, f) => n + f.sent, 0),
  };
}

export const median = (xs: readonly number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};

/**
 * The year's totals. Exercises never count as alerts (only their own "exercises" total);
 * durations and deliveries are those of launched real alerts.
 */
/** Rule 10 in the statistics: how many tips an alert brought, by way in, and how many the investigators found useful (counts only). */
export interface TipFigures {
  total: number;
  web: number;
  call: number;
  acknowledged: number;
  useful: number;
}

export function tipFigures(rows: readonly { source: string; ackedAt: string | null; useful: boolean | null }[]): TipFigures {
  return {
    total: rows.length,
    web: rows.filter((r) => r.source === "web").length,
    call: rows.filter((r) => r.source === "call").length,
    acknowledged: rows.filter((r) => r.ackedAt !== null).length,
    useful: rows.filter((r) => r.useful === true).length,
  };
}

export function yearTotals<C extends string>(all: readonly (ReturnType<typeof courseFigures> & { channels: Record<C, ChannelFigures>; tips: TipFigures })[], channels: readonly C[]) {
  // Issue 29: the Child Alerts' totals, and the search notices' apart (sixty a year against one).
  const alerts = all.filter((a) => a.kind === "child_alert");
  const real = alerts.filter((a) => !a.exercise);
  const launched = real.filter((a) => a.outcome === "launched");
  const notices = all.filter((a) => a.kind === "search_notice" && !a.exercise);
  const published = notices.filter((a) => a.outcome === "launched");
  return {
    searchNotices: {
      published: published.length,
      cancelledBeforePublication: notices.filter((a) => a.outcome === "cancelled").length,
      blocked: notices.filter((a) => a.outcome === "blocked").length,
      foundSafe: published.filter((a) => a.endReason === "found_safe").length,
      medianDurationMinutes: median(published.flatMap((a) => (a.durationMinutes === null ? [] : [a.durationMinutes]))),
      tips: published.reduce((n, a) => n + a.tips.total, 0),
      usefulTips: published.reduce((n, a) => n + a.tips.useful, 0),
    },
    launched: launched.length,
    exercises: alerts.filter((a) => a.exercise && a.outcome === "launched").length,
    cancelledBeforeLaunch: real.filter((a) => a.outcome === "cancelled").length,
    blocked: real.filter((a) => a.outcome === "blocked").length,
    medianDurationMinutes: median(launched.flatMap((a) => (a.durationMinutes === null ? [] : [a.durationMinutes]))),
    sent: Object.fromEntries(channels.map((ch) => [ch, launched.reduce((n, a) => n + a.channels[ch].sent, 0)])) as Record<C, number>,
    foundSafe: launched.filter((a) => a.endReason === "found_safe").length,
    tips: launched.reduce((n, a) => n + a.tips.total, 0),
    usefulTips: launched.reduce((n, a) => n + a.tips.useful, 0),
  };
}
