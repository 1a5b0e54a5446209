// Rule 15: yearly, PII-free statistics for the missing-persons cell. Built from what
// survives the purge — states, times, reasons, counts — never names, texts or places.
import { alertsBetween } from "../db/alerts.ts";
import type { Db } from "../db/client.ts";
import { alertStub } from "./alerts.ts";
import { CHANNEL_NAMES, type ChannelName } from "../channels/index.ts";

export interface ChannelFigures {
  /** Alert and update messages delivered. */
  sent: number;
  failed: number;
  /** Retraction messages delivered. */
  retractions: number;
}

const perChannel = <T>(fn: (ch: ChannelName) => T) => Object.fromEntries(CHANNEL_NAMES.map((ch) => [ch, fn(ch)])) as Record<ChannelName, T>;

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};

/** What became of an alert, from what survives the purge (a cancel stores the reason "cancelled"). */
function outcomeOf(r: { launchedAt: string | null; state: string; stopReason: string | null }) {
  if (r.launchedAt) return "launched" as const;
  if (r.state === "cancelled" || r.stopReason === "cancelled") return "cancelled" as const;
  return r.state === "blocked" ? ("blocked" as const) : ("not_launched" as const);
}

/** The figures of one year; the route's response schema (YearStatistics) describes the shape. */
export async function yearStatistics(env: Env, db: Db, year: number, now = new Date()) {
  const rows = await alertsBetween(db, `${year}-01-01T00:00:00.000Z`, `${year + 1}-01-01T00:00:00.000Z`);
  const alerts = await Promise.all(
    rows.map(async (r) => {
      const fanouts = r.launchedAt ? await alertStub(env, r.id).fanouts() : [];
      const sum = (ch: ChannelName, pick: (f: (typeof fanouts)[number]) => number, events: string[]) =>
        fanouts.filter((f) => f.channel === ch && events.includes(f.event)).reduce((n, f) => n + pick(f), 0);
      const ended = r.launchedAt ? r.stoppedAt : null;
      return {
        alertId: r.id,
        exercise: r.exercise,
        outcome: outcomeOf(r),
        launchedAt: r.launchedAt,
        endedAt: ended,
        durationMinutes: r.launchedAt && ended ? Math.round((Date.parse(ended) - Date.parse(r.launchedAt)) / 60_000) : null,
        extensions: r.extensions,
        endReason: r.launchedAt ? r.stopReason : null,
        updates: Math.max(0, r.published - 1),
        channels: perChannel(
          (ch): ChannelFigures => ({ sent: sum(ch, (f) => f.sent, ["alert", "update"]), failed: sum(ch, (f) => f.failed, ["alert", "update"]), retractions: sum(ch, (f) => f.sent, ["stop"]) }),
        ),
      };
    }),
  );
  const real = alerts.filter((a) => !a.exercise);
  const launched = real.filter((a) => a.outcome === "launched");
  return {
    year,
    generatedAt: now.toISOString(),
    totals: {
      launched: launched.length,
      exercises: alerts.filter((a) => a.exercise && a.outcome === "launched").length,
      cancelledBeforeLaunch: real.filter((a) => a.outcome === "cancelled").length,
      blocked: real.filter((a) => a.outcome === "blocked").length,
      medianDurationMinutes: median(launched.flatMap((a) => (a.durationMinutes === null ? [] : [a.durationMinutes]))),
      sent: perChannel((ch) => launched.reduce((n, a) => n + a.channels[ch].sent, 0)),
      foundSafe: launched.filter((a) => a.endReason === "found_safe").length,
    },
    alerts,
  };
}

export type YearStatistics = Awaited<ReturnType<typeof yearStatistics>>;
type AlertStatistic = YearStatistics["alerts"][number];

const CSV_COLUMNS: Exclude<keyof AlertStatistic, "channels">[] = [
  "alertId",
  "exercise",
  "outcome",
  "launchedAt",
  "endedAt",
  "durationMinutes",
  "extensions",
  "endReason",
  "updates",
];
/** Then, per channel of the registry: <channel>_sent, <channel>_failed, <channel>_retractions. */
const FIGURES: (keyof ChannelFigures)[] = ["sent", "failed", "retractions"];

/** One row per alert (RFC 4180); every value is an identifier, a time, a code or a number. */
export function statisticsCsv(stats: YearStatistics): string {
  const cell = (v: unknown) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const header = [...CSV_COLUMNS, ...CHANNEL_NAMES.flatMap((ch) => FIGURES.map((f) => `${ch}_${f}`))];
  const row = (a: AlertStatistic) => [...CSV_COLUMNS.map((k) => cell(a[k])), ...CHANNEL_NAMES.flatMap((ch) => FIGURES.map((f) => cell(a.channels[ch][f])))];
  return [header.join(","), ...stats.alerts.map((a) => row(a).join(","))].join("\r\n") + "\r\n";
}
