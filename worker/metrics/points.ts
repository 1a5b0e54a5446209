// Delivery metrics over time (issue 27): one data point per page job in Workers Analytics
// Engine (the METRICS dataset: per channel and event, the page's sent / failed / retried /
// removed / held counts and its duration), for Grafana or the Analytics Engine SQL API
// over weeks and years. Fire-and-forget (writeDataPoint never blocks or throws for the
// caller); no recipient, no child data: counts, a channel, an event, the alert's id.
// Locally (npm start, tests) Miniflare accepts the writes and keeps nothing: the live
// panel's chart and the OpenMetrics endpoint do not depend on them.
import type { PageCounts } from "../fanout/ledger.ts";
import { log } from "../log.ts";

export interface PagePoint {
  alertId: string;
  channel: string;
  event: string;
  counts: PageCounts;
  ms: number;
}

export function writePagePoint(env: Env, p: PagePoint): void {
  try {
    env.METRICS?.writeDataPoint({
      indexes: [p.channel],
      blobs: [p.channel, p.event, p.alertId],
      doubles: [p.counts.sent, p.counts.failed, p.counts.retrying, p.counts.pruned, p.counts.fenced, p.ms],
    });
  } catch (err) {
    log.warn("metrics_write_failed", { channel: p.channel, error: err });
  }
}
