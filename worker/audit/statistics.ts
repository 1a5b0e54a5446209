// Rule 15: yearly, PII-free statistics for the missing-persons cell. Reads what survives
// the purge — states, times, reasons, counters — and counts it as the domain defines
// (worker/domain/statistics.ts); never names, texts or places.
import { alertsBetween } from "../db/alerts.ts";
import { commit, type Db } from "../db/client.ts";
import { alertStub } from "../alert/api.ts";
import { CHANNEL_NAMES, type ChannelName } from "../channels/index.ts";
import { type Actor, type ChannelFigures, channelFigures, courseFigures, tipFigures, yearTotals } from "../domain/index.ts";
import { tipFigureRows } from "../db/tips.ts";

/** The figures of one year; the route's response schema (YearStatistics) describes the shape. */
export async function yearStatistics(env: Env, db: Db, year: number, now = new Date()) {
  const rows = await alertsBetween(db, `${year}-01-01T00:00:00.000Z`, `${year + 1}-01-01T00:00:00.000Z`);
  const alerts = await Promise.all(
    rows.map(async (r) => {
      const fanouts = r.launchedAt ? await alertStub(env, r.id).fanouts() : [];
      const channels = Object.fromEntries(CHANNEL_NAMES.map((ch) => [ch, channelFigures(fanouts.filter((f) => f.channel === ch))])) as Record<ChannelName, ChannelFigures>;
      const tips = tipFigures(r.launchedAt ? await tipFigureRows(db, r.id) : []);
      return { alertId: r.id, ...courseFigures(r), channels, tips };
    }),
  );
  return { year, generatedAt: now.toISOString(), totals: yearTotals(alerts, CHANNEL_NAMES), alerts };
}

export type YearStatistics = Awaited<ReturnType<typeof yearStatistics>>;
type AlertStatistic = YearStatistics["alerts"][number];

const CSV_COLUMNS: Exclude<keyof AlertStatistic, "channels" | "tips">[] = [
  "alertId",
  "kind",
  "exercise",
  "outcome",
  "launchedAt",
  "endedAt",
  "durationMinutes",
  "extensions",
  "endReason",
  "updates",
];
/** Then, per channel of the registry: <channel>_sent, <channel>_failed, <channel>_retractions; then the tips' counts: tips_<figure>. */
const TIP_COLUMNS: (keyof AlertStatistic["tips"])[] = ["total", "web", "call", "acknowledged", "useful"];
const FIGURES: (keyof ChannelFigures)[] = ["sent", "failed", "retractions"];

/** One row per alert (RFC 4180); every value is an identifier, a time, a code or a number. */
export function statisticsCsv(stats: YearStatistics): string {
  const cell = (v: unknown) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const header = [...CSV_COLUMNS, ...CHANNEL_NAMES.flatMap((ch) => FIGURES.map((f) => `${ch}_${f}`)), ...TIP_COLUMNS.map((f) => `tips_${f}`)];
  const row = (a: AlertStatistic) => [
    ...CSV_COLUMNS.map((k) => cell(a[k])),
    ...CHANNEL_NAMES.flatMap((ch) => FIGURES.map((f) => cell(a.channels[ch][f]))),
    ...TIP_COLUMNS.map((f) => cell(a.tips[f])),
  ];
  return [header.join(","), ...stats.alerts.map((a) => row(a).join(","))].join("\r\n") + "\r\n";
}

/** The year's statistics for one person, the export audited (who, which year, which format). */
export async function exportStatistics(env: Env, db: Db, actor: Actor, year: number, format: "json" | "csv") {
  const stats = await yearStatistics(env, db, year);
  await commit(db, [], [{ actorUserId: actor.userId, actorRole: actor.role, action: "statistics_exported", details: { year, format } }], new Date());
  return stats;
}
