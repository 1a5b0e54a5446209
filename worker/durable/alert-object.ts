// One Durable Object per alert: the single writer of its state. Commands are run one
// after another (a promise chain, because awaiting D1 would otherwise let a second
// request interleave), so two launches cannot both win and a stop queued behind a
// launch sees the launch's result. It also owns the alert's timers as one DO alarm.
import { boardStub } from "./board-object.ts";
import { LiveObject } from "./live-object.ts";
import { retentionHours } from "../config.ts";
import { makeDb } from "../db/client.ts";
import { AppError, type ErrorPayload, toPayload } from "../errors.ts";
import { type AlertCommand, type CommandResult, executeCommand, type Job, type Timers } from "../services/alert-commands.ts";
import { log } from "../log.ts";
import { planFanout, SEND_LEASE_MS } from "../services/fanout.ts";

export type CommandOutcome = { ok: true; result: CommandResult } | { ok: false; error: ErrorPayload };

/** What one page job reports; the fan-out counters are their sums. */
export interface PageReport {
  sent: number;
  failed: number;
  pruned: number;
  retrying: number;
  /** Recipients not sent to because the stop fence closed first. */
  fenced: number;
  /** Subscriptions of the page outside the alert's targeting. */
  skipped: number;
}

const NO_COUNTS: PageReport = { sent: 0, failed: 0, pruned: 0, retrying: 0, fenced: 0, skipped: 0 };

/** Per fan-out counters, aggregated here from page reports (never a row per delivery in D1). */
export interface FanoutCounters extends PageReport {
  fanoutId: string;
  channel: "push";
  event: "alert" | "update" | "stop";
  versionId: string;
  startedAt: string;
  pagesPlanned: number;
  pagesDone: number;
  /** Page jobs that exhausted their retries and went to the dead-letter queue. */
  deadPages?: number;
  /** The admin had switched the channel off: nothing was sent for this message. */
  switchedOff?: boolean;
}

/** The message of a fan-out, prepared once by the planner: who gets it and what, per language. */
export interface FanoutMessage {
  audience: { regions: string[]; languages: string[]; exercise: boolean };
  /** Encoded payload per language. */
  payloads: Record<string, string>;
  /** Push TTL is the time left until this moment (null for the retraction). */
  endsAt: string | null;
}

type TimerName = keyof Timers;
const TIMER_NAMES: TimerName[] = ["review", "expiry", "purge"];

export class AlertObject extends LiveObject {
  private queue: Promise<unknown> = Promise.resolve();

  /** Runs one command for `alertId`, after every command received before it. */
  async command(alertId: string, cmd: AlertCommand): Promise<CommandOutcome> {
    return this.serialised(async () => {
      const outcome = await this.run(alertId, cmd);
      // Remember the alert only once a command succeeded: unknown ids leave no trace.
      if (outcome.ok) await this.ctx.storage.put("alertId", alertId);
      return outcome;
    });
  }

  /** Runs due timers now (used by the cron safety net and by tests). */
  async tick(alertId: string): Promise<CommandOutcome> {
    return this.command(alertId, { type: "tick" });
  }

  // ------------------------------------------------------------ fan-out

  /**
   * The stop fence: may content (alert/update) still be sent? Closed before a stop or an
   * expiry is committed, so once the stop is committed no content send passes this gate.
   * Retraction messages ("stop") always pass.
   */
  async gate(event: "alert" | "update" | "stop", page?: string): Promise<boolean> {
    if (event === "stop") return true;
    // While a closing command waits out the leases, no new lease is granted.
    if (this.closing) return false;
    const open = (await this.ctx.storage.get<boolean>("fence:closed")) !== true && (await this.ctx.storage.get<string>("state")) === "live";
    // Mark the page as reached in the same storage turn as the check (nothing interleaves
    // with storage-only work), so a stop that closes the fence afterwards always finds
    // every page that may have sent content, and sends its retraction there.
    if (open && page && !this.reached.has(page)) {
      this.reached.add(page);
      await this.ctx.storage.put(`delivered:${page}`, true);
    }
    return open;
  }

  private reached = new Set<string>();
  private closing = false;

  async fanoutStarted(c: Omit<FanoutCounters, keyof PageReport | "pagesDone">, message: FanoutMessage): Promise<void> {
    const key = `fanout:${c.fanoutId}`;
    const existing = await this.ctx.storage.get<FanoutCounters>(key);
    await this.ctx.storage.put({ [key]: { ...(existing ?? { ...NO_COUNTS, pagesDone: 0 }), ...c }, [`message:${c.fanoutId}`]: message });
  }

  /** A page job starts: was it done already (a redelivery), and what is the message. */
  async beginPage(fanoutId: string, pageKey: string): Promise<{ done: boolean; message: FanoutMessage | null }> {
    const [done, message] = await Promise.all([
      this.ctx.storage.get<boolean>(`page:${fanoutId}:${pageKey}`),
      this.ctx.storage.get<FanoutMessage>(`message:${fanoutId}`),
    ]);
    return { done: done === true, message: message ?? null };
  }

  /** Records a page once (a redelivered report changes nothing) and adds its counts. */
  async reportPage(fanoutId: string, pageKey: string, r: PageReport, firstPass: boolean): Promise<void> {
    const doneKey = `page:${fanoutId}:${pageKey}`;
    if (await this.ctx.storage.get<boolean>(doneKey)) return;
    const key = `fanout:${fanoutId}`;
    const c = await this.ctx.storage.get<FanoutCounters>(key);
    if (!c) return;
    c.sent += r.sent;
    c.failed += r.failed;
    c.pruned += r.pruned;
    c.fenced += r.fenced;
    c.skipped += r.skipped;
    c.retrying = Math.max(0, c.retrying + r.retrying);
    if (firstPass) c.pagesDone++;
    await this.ctx.storage.put({ [doneKey]: true, [key]: c });
    this.broadcast({ type: "fanout", counters: c });
  }

  /** A page job of this alert reached the dead-letter queue. */
  async pageDead(fanoutId: string): Promise<void> {
    const key = `fanout:${fanoutId}`;
    const c = await this.ctx.storage.get<FanoutCounters>(key);
    if (!c) return;
    c.deadPages = (c.deadPages ?? 0) + 1;
    await this.ctx.storage.put(key, c);
    this.broadcast({ type: "fanout", counters: c });
  }

  /** A version's poster set is complete: open dashboards show it (no polling). */
  async postersReady(versionId: string): Promise<void> {
    this.broadcast({ type: "posters", versionId });
  }

  /** Pages whose recipients got the alert: the stop message goes there. */
  async deliveredPages(): Promise<string[]> {
    const m = await this.ctx.storage.list<boolean>({ prefix: "delivered:" });
    return [...m.keys()].map((k) => k.slice("delivered:".length));
  }

  async fanouts(): Promise<FanoutCounters[]> {
    const m = await this.ctx.storage.list<FanoutCounters>({ prefix: "fanout:" });
    return [...m.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  // ------------------------------------------------------------ live feed

  /** A dashboard connects (LiveObject accepts it): the state and the fan-out progress so far. */
  protected async hello() {
    return { state: (await this.ctx.storage.get<string>("state")) ?? null, fanouts: await this.fanouts() };
  }

  private async dropMessages(): Promise<void> {
    const keys = [...(await this.ctx.storage.list({ prefix: "message:" })).keys()];
    for (let i = 0; i < keys.length; i += 128) await this.ctx.storage.delete(keys.slice(i, i + 128));
  }

  /** The timers this object holds, for the dashboard and tests. */
  async timers(): Promise<Timers> {
    const out: Timers = {};
    for (const name of TIMER_NAMES) out[name] = (await this.ctx.storage.get<string>(`timer:${name}`)) ?? null;
    return out;
  }

  override async alarm(): Promise<void> {
    const alertId = await this.ctx.storage.get<string>("alertId");
    if (!alertId) return;
    const outcome = await this.serialised(() => this.run(alertId, { type: "tick" }));
    // A failed tick throws so the runtime retries the alarm with backoff.
    if (!outcome.ok && outcome.error.code === "E_INTERNAL") throw new Error("alert tick failed; alarm will retry");
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(alertId: string, cmd: AlertCommand): Promise<CommandOutcome> {
    // Close the fence before a stop (or a possible expiry) commits; reopen if it does not.
    const expiryDue = cmd.type === "tick" && Date.parse((await this.ctx.storage.get<string>("timer:expiry")) ?? "") <= Date.now();
    const closing = cmd.type === "stop" || cmd.type === "cancel" || expiryDue;
    const wasClosed = (await this.ctx.storage.get<boolean>("fence:closed")) === true;
    if (closing && !wasClosed) {
      this.closing = true;
      await this.ctx.storage.put("fence:closed", true);
      // Senders hold leases of at most SEND_LEASE_MS, counted from before they asked: once
      // this wait is over, every lease granted before the fence closed has expired, so
      // nothing but requests already in flight can go out after the stop commits.
      if ((await this.ctx.storage.get<string>("state")) === "live") await new Promise((r) => setTimeout(r, SEND_LEASE_MS));
    }
    try {
      const result = await executeCommand(
        { db: makeDb(this.env.DB), media: this.env.MEDIA, retentionHours: retentionHours(this.env), now: new Date() },
        alertId,
        cmd,
      );
      await this.ctx.storage.put("state", result.state);
      // The purge also reaches this object: the prepared messages carry the child's name
      // and description. Counters (numbers only) stay for the yearly statistics.
      if (result.state === "purged" && result.changed) await this.dropMessages();
      this.closing = false;
      if (closing && !wasClosed && result.state === "live") await this.ctx.storage.delete("fence:closed");
      if (result.timers) await this.setTimers(result.timers);
      if (result.changed) {
        this.broadcast({ type: "state", command: cmd.type, state: result.state, endsAt: result.endsAt ?? undefined });
        // Open alert lists refresh too; best effort: a list that misses it still shows the truth on reload.
        this.ctx.waitUntil(
          boardStub(this.env)
            .notify({ type: "alert", alertId, state: result.state, command: cmd.type })
            .catch((err) => log.warn("board_notify_failed", { alertId, error: err })),
        );
      }
      const jobs = (result.jobs ?? []).filter((j) => j.type !== "render_posters" || this.env.POSTERS_ON_SAVE !== "false");
      if (jobs.length) await this.enqueue(jobs);
      return { ok: true, result };
    } catch (err) {
      this.closing = false;
      if (closing && !wasClosed) await this.ctx.storage.delete("fence:closed");
      if (err instanceof AppError) return { ok: false, error: toPayload(err) };
      log.error("alert_command_failed", { alertId, command: cmd.type, error: err });
      return { ok: false, error: { code: "E_INTERNAL" } };
    }
  }

  /**
   * Background work after the commit. A failed send is logged, not fatal: the command
   * stands, and the poster preview re-requests missing renders.
   */
  private async enqueue(jobs: Job[]): Promise<void> {
    for (const job of jobs) {
      try {
        // The launch path: plan the push fan-out right here (one query + page batches onto
        // the push queues) instead of queueing behind poster renders on the FANOUT queue.
        if (job.type === "push_fanout") {
          await planFanout(this.env, job).catch(async (err) => {
            log.warn("inline_fanout_plan_failed", { alertId: job.alertId, error: err });
            await this.env.PUSH_0.send(job);
          });
        } else await this.env.FANOUT.send(job);
      } catch (err) {
        log.error("enqueue_failed", { job: job.type, error: err });
      }
    }
  }

  private async setTimers(timers: Timers): Promise<void> {
    for (const name of TIMER_NAMES) {
      const value = timers[name];
      if (value === undefined) continue;
      if (value === null) await this.ctx.storage.delete(`timer:${name}`);
      else await this.ctx.storage.put(`timer:${name}`, value);
    }
    const pending = (await Promise.all(TIMER_NAMES.map((n) => this.ctx.storage.get<string>(`timer:${n}`))))
      .filter((v): v is string => !!v)
      .map((v) => Date.parse(v));
    if (pending.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...pending));
  }
}
