// The cron safety net behind the Durable Object alarms: any alert whose expiry or purge
// is due gets a `tick` in its object. Alarms are reliable, but an alert must never stay
// live past its end or keep a child's data past retention because one was lost.
import { alertsWithDueTimers } from "../db/alerts.ts";
import { makeDb } from "../db/client.ts";
import type { CommandOutcome } from "../durable/alert-object.ts";
import { log } from "../log.ts";
import { alertStub } from "./alerts.ts";

export async function runDueTimers(env: Env, now: Date): Promise<number> {
  const due = await alertsWithDueTimers(makeDb(env.DB), now);
  let ticked = 0;
  for (const { id } of due) {
    const outcome = (await alertStub(env, id).tick(id)) as CommandOutcome;
    if (outcome.ok) ticked++;
    else log.warn("cron_tick_refused", { alertId: id, code: outcome.error.code });
  }
  return ticked;
}
