// One Durable Object per alert: the single writer of its state. Commands are run one
// after another (a promise chain, because awaiting D1 would otherwise let a second
// request interleave), so two launches cannot both win and a stop queued behind a
// launch sees the launch's result. It also owns the alert's timers as one DO alarm.
import { DurableObject } from "cloudflare:workers";
import { retentionHours } from "../config.ts";
import { makeDb } from "../db/client.ts";
import { AppError, type ErrorPayload, toPayload } from "../errors.ts";
import { type AlertCommand, type CommandResult, executeCommand, type Job, type Timers } from "../services/alert-commands.ts";
import { log } from "../log.ts";

export type CommandOutcome = { ok: true; result: CommandResult } | { ok: false; error: ErrorPayload };

type TimerName = keyof Timers;
const TIMER_NAMES: TimerName[] = ["review", "expiry", "purge"];

export class AlertObject extends DurableObject<Env> {
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
    try {
      const result = await executeCommand(
        { db: makeDb(this.env.DB), media: this.env.MEDIA, retentionHours: retentionHours(this.env), now: new Date() },
        alertId,
        cmd,
      );
      if (result.timers) await this.setTimers(result.timers);
      const jobs = (result.jobs ?? []).filter((j) => j.type !== "render_posters" || this.env.POSTERS_ON_SAVE !== "false");
      if (jobs.length) await this.enqueue(jobs);
      return { ok: true, result };
    } catch (err) {
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
    try {
      await this.env.FANOUT.sendBatch(jobs.map((body) => ({ body })));
    } catch (err) {
      log.error("enqueue_failed", { jobs: jobs.map((j) => j.type), error: err });
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
