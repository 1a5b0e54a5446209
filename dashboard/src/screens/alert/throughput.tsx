// The live panel's throughput chart (issue 27): each channel's deliveries per second over
// the last minutes (5-second buckets, from the alert's object), refreshed as the fan-out's
// counters move. Refusals are drawn in red on top; the numbers are said in words too.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type FanoutCounters, must } from "../../api/client";
import { t } from "../../i18n";
import { channelName, useChannels } from "../../lib/channels";

type Series = Awaited<ReturnType<typeof load>>;
const load = async (id: string) => must(api.GET("/alerts/{id}/throughput", { params: { path: { id } } }));
const SHOWN = 60; // buckets: the last 5 minutes

export function Throughput({ id, fanouts }: { id: string; fanouts: FanoutCounters[] }) {
  const [series, setSeries] = useState<Series | null>(null);
  const channels = useChannels();
  const last = useRef(0);
  const moved = fanouts.reduce((n, f) => n + f.sent + f.failed + f.retrying, 0);
  useEffect(() => {
    // At most one read every 2 s, however fast the counters move.
    const wait = Math.max(0, last.current + 2000 - Date.now());
    const timer = setTimeout(() => {
      last.current = Date.now();
      load(id).then(setSeries, () => undefined);
    }, wait);
    return () => clearTimeout(timer);
  }, [id, moved]);
  if (!series?.channels.length) return null;
  const bucketS = series.bucketS;
  const now = Math.floor(Date.now() / (bucketS * 1000)) * bucketS * 1000;
  return (
    <div id="throughput">
      <h3>{t("live.throughput")}</h3>
      {series.channels.map((c) => {
        const byAt = new Map(c.points.map((p) => [p.at, p]));
        const buckets = Array.from({ length: SHOWN }, (_, i) => byAt.get(now - (SHOWN - 1 - i) * bucketS * 1000) ?? { sent: 0, failed: 0, retried: 0 });
        const peak = Math.max(1, ...buckets.map((b) => b.sent + b.failed));
        const rate = (n: number) => (n / bucketS).toFixed(n / bucketS < 10 ? 1 : 0);
        const best = Math.max(...c.points.map((p) => p.sent));
        const name = channelName(channels, c.channel);
        // The last complete bucket (the current one is still filling).
        const said = t("live.throughputSaid", { now: rate(buckets.at(-2)!.sent), peak: rate(best) });
        return (
          <figure class="throughput" key={c.channel} data-channel={c.channel}>
            <figcaption>
              {name}: {said}
            </figcaption>
            <svg viewBox={`0 0 ${SHOWN * 4} 40`} width="100%" height="40" role="img" aria-label={`${name}: ${said}`}>
              {buckets.map((b, i) => {
                const h = ((b.sent + b.failed) / peak) * 38;
                const f = (b.failed / peak) * 38;
                return (
                  <g key={i}>
                    <rect x={i * 4} y={40 - h} width="3" height={h - f} fill="#1f5fa8" />
                    {f > 0 && <rect x={i * 4} y={40 - f} width="3" height={f} fill="#8a0015" />}
                  </g>
                );
              })}
            </svg>
          </figure>
        );
      })}
    </div>
  );
}
