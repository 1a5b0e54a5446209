// The fan-out's watchdog (issue 27): while an alert's fan-outs run, every WATCH_EVERY_MS
// the alert's object looks at each one. A channel whose recipients are still pending and
// that delivered nothing for STALL_MS, or whose permanent failures reach FAILING_SHARE of
// what it settled, opens an incident: the operator and the cell are paged (inbox, e-mail,
// staff push) once; when it delivers again (or ends without the failures) a second notice
// closes it. Pure decisions here; the object does the telling.
import type { FanoutCounters } from "./ledger.ts";
import { fanoutFinished } from "./ledger.ts";

/** Nothing delivered for this long while recipients wait: stalled. */
export const STALL_MS = 30_000;
/** How often the object looks (a stall is told at most this long after it is one). */
export const WATCH_EVERY_MS = 10_000;
/** Permanent failures at this share of what was settled (sent + failed): failing. */
export const FAILING_SHARE = 0.2;

export type IncidentReason = "stalled" | "failing";

/** What the watchdog remembers of one fan-out on one channel. */
export interface Watch {
  /** `sent` when it last grew, and when. */
  sent: number;
  progressAt: number;
  /** Incidents opened so far (the occurrence number of the next). */
  incidents: number;
  open?: { n: number; reason: IncidentReason; since: number };
}

export type WatchStep = { watch: Watch; opened?: { n: number; reason: IncidentReason }; closed?: { n: number } };

/** One look at one fan-out: the next state, and whether an incident opened or closed. */
export function look(c: FanoutCounters, before: Watch | undefined, now: number): WatchStep {
  const w: Watch = before ? { ...before } : { sent: c.sent, progressAt: Math.max(Date.parse(c.startedAt) || now, now - STALL_MS / 2), incidents: 0 };
  if (c.sent > w.sent) {
    w.sent = c.sent;
    w.progressAt = now;
  }
  const finished = fanoutFinished(c);
  const failing = c.failed > 0 && c.failed >= FAILING_SHARE * (c.sent + c.failed);
  const stalled = !finished && c.status === "running" && now - w.progressAt >= STALL_MS;
  const reason: IncidentReason | null = failing ? "failing" : stalled ? "stalled" : null;
  if (reason && !w.open) {
    const n = ++w.incidents;
    w.open = { n, reason, since: now };
    return { watch: w, opened: { n, reason } };
  }
  if (!reason && w.open) {
    const { n } = w.open;
    delete w.open;
    return { watch: w, closed: { n } };
  }
  return { watch: w };
}

/** Whether the watchdog must look again (something still runs). */
export const stillWatching = (all: FanoutCounters[]) => all.some((c) => c.status === "running" || c.status === "waiting");
