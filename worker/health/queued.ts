// What is queued for the live alerts now, per channel (issue 27: the readiness screen and
// the OpenMetrics endpoint): page jobs not yet done and recipients waiting for a retry,
// from each live alert's fan-out counters.
import type { Db } from "../db/client.ts";
import { liveAlerts } from "../db/channel-figures.ts";
import { type FanoutCounters, fanoutFinished } from "../fanout/ledger.ts";

/** Every fan-out of every live alert (read by `fanoutsOf`: the alert's object), with the alerts. */
export async function liveFanouts(db: Db, fanoutsOf: (alertId: string) => Promise<FanoutCounters[]>): Promise<{ alerts: { id: string; exercise: number }[]; fanouts: FanoutCounters[] }> {
  const alerts = await liveAlerts(db);
  const fanouts: FanoutCounters[] = [];
  for (const { id } of alerts) fanouts.push(...(await fanoutsOf(id)));
  return { alerts, fanouts };
}

/** Page jobs not yet done and recipients waiting for a retry, per channel. */
export function backlogByChannel(fanouts: readonly FanoutCounters[]): Map<string, { pages: number; retrying: number }> {
  const out = new Map<string, { pages: number; retrying: number }>();
  for (const c of fanouts) {
    if (fanoutFinished(c)) continue;
    const b = out.get(c.channel) ?? { pages: 0, retrying: 0 };
    b.pages += Math.max(0, c.pagesPlanned - c.pagesDone - (c.deadPages ?? 0));
    b.retrying += c.retrying;
    out.set(c.channel, b);
  }
  return out;
}
