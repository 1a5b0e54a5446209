// One Durable Object per alert: the single writer of its state. Commands are run one
// after another (a promise chain, because awaiting D1 would otherwise let a second
// request interleave), so two launches cannot both win and a stop queued behind a
// launch sees the launch's result. It also owns the alert's timers as one DO alarm.
import { boardStub } from "../board/object.ts";
import { LiveObject, roleTag, userTag } from "../board/live-object.ts";
import { type Call, IntakeDesk, intakeMetrics, type TipClock } from "../intake/desk.ts";
import type { TipView } from "../intake/tip-view.ts";
import { escalateStmt, tipById, tipFigureRows } from "../db/tips.ts";
import { noticeStmt } from "../db/notices.ts";
import { buildPublicAlert, type PublicAlert, publicPaths } from "../partners/public-alert.ts";
import { type AlertState, ENDED_STATES, TIP_ESCALATION } from "../domain/index.ts";
import { inactiveRetentionHours, retentionHours, tipAckMinutes } from "../config.ts";
import { makeDb } from "../db/client.ts";
import { AppError, type ErrorPayload, toPayload } from "../errors.ts";
import { type AlertCommand, type CommandResult, executeCommand, type Job, type RecordedBroadcast, type Timers } from "./commands/index.ts";
import { log } from "../log.ts";
import { commit } from "../db/client.ts";
import { markPlanned, unplannedIntents } from "../db/broadcasts.ts";
import { deleteCallRecordings } from "../intake/recordings.ts";
import { advance, deferOthersMs, LAUNCH_LEADERS, planIntent } from "../fanout/plan.ts";
import { DRAIN_GRACE_MS, MAX_LEASE_MS } from "../fanout/ledger.ts";
import { type FanoutCounters, fanoutFinished, FanoutLedger, type PageDelta, type ThroughputPoint } from "../fanout/ledger.ts";
import { allShards } from "../fanout/shards.ts";
import { stillWatching, WATCH_EVERY_MS } from "../fanout/watch.ts";
import { watchFanouts } from "./watchdog.ts";
import { drillScorecard } from "../drills/scorecard.ts";
import { signStatement, statementOf } from "../publication/sign.ts";
import { Serial } from "../serial.ts";

/** `publicUrls`: what the public saw changed; these URLs' cached copies are to be purged. */
export type CommandOutcome = { ok: true; result: CommandResult; publicUrls?: string[] } | { ok: false; error: ErrorPayload };

export type { FanoutCounters } from "../fanout/ledger.ts";

/** A failed reconcile (queue or D1 unreachable) is tried again this soon, then backing off. */
const RECONCILE_RETRY_MS = 1_000;
const RECONCILE_MAX_BACKOFF_MS = 60_000;

/** The public record must be rebuilt and handed to the board (set with the command's outcome). */
const PUBLIC_DIRTY = "public:dirty";
const PUBLIC_RECORD = "public";
const PUBLIC_PHOTOS = "public:photos";

type TimerName = keyof Timers;
const TIMER_NAMES: TimerName[] = ["review", "expiry", "purge"];
/** The alarm also runs the fan-out reconciler: this timer says when it is due. */
const RECONCILE_TIMER = "timer:reconcile";
/** The fan-outs' watchdog (issue 27): due every WATCH_EVERY_MS while one runs. */
const WATCH_TIMER = "timer:watch";
/** The alert has targeted a country abroad (issue 28: its messages go to the peers there). */
const TARGETED_ABROAD = "peers:abroad";

export class AlertObject extends LiveObject {
  private readonly commands = new Serial();

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

  // ------------------------------------------------------------ fan-out (the ledger; see fanout/)

  private readonly ledger = new FanoutLedger(this.ctx.storage, {
    toScreens: (m) => this.toScreens(m),
    wake: () => this.wake(),
  });

  /** Content may go out while the alert is live and no stop or expiry has closed the fence (a shard asks when unsure). */
  async fenceOpen(): Promise<boolean> {
    return (await this.ctx.storage.get<boolean>("fence:closed")) !== true && (await this.ctx.storage.get<string>("state")) === "live";
  }

  /** What the ledger shards' pages counted (each page once). */
  applyPages(deltas: PageDelta[]): Promise<void> {
    return this.ledger.applyPages(deltas);
  }

  /** A version's poster set is complete: open dashboards show it (no polling). */
  async postersReady(versionId: string): Promise<void> {
    this.toScreens({ type: "posters", versionId });
  }

  /** Each channel's recent throughput (the live panel's chart). */
  throughput(): Promise<Record<string, ThroughputPoint[]>> {
    return this.ledger.throughput();
  }

  fanouts(): Promise<FanoutCounters[]> {
    return this.ledger.all();
  }

  /**
   * The reconciler: plans every broadcast intent of the outbox not planned yet (those just
   * committed are passed in; the rest are read from D1), moves running fan-outs on, and
   * appends finished ones to the audit trail. Idempotent; on failure the alarm retries.
   */
  reconcile(): Promise<void> {
    return this.serialised(() => this.reconcileNow());
  }

  private async reconcileNow(fresh: RecordedBroadcast[] = []): Promise<void> {
    const alertId = await this.ctx.storage.get<string>("alertId");
    if (!alertId) return;
    const db = makeDb(this.env.DB);
    try {
      if (await this.ctx.storage.get<boolean>(PUBLIC_DIRTY)) await this.syncPublic(alertId);
      const todo = fresh.length ? fresh : (await unplannedIntents(db, alertId)).map((intent) => ({ intent, source: undefined }));
      // Push first: a fresh content broadcast plans web push now, the other channels at the alarm just after.
      const defer = fresh.length ? deferOthersMs(this.env) : 0;
      let deferred = false;
      for (const { intent, source } of todo) {
        if (defer && intent.event !== "stop") {
          await planIntent(this.env, this.ledger, intent, source, new Date(), LAUNCH_LEADERS);
          deferred = true;
          continue;
        }
        await planIntent(this.env, this.ledger, intent, source);
        await markPlanned(db, intent.id, new Date());
      }
      // Deferred: the rest (advance() hands push's other shards the message and enqueues its other pages) runs at the alarm.
      const next = deferred ? Date.now() + defer : await advance(this.env, this.ledger, alertId);
      if (!deferred) await this.auditFinished(alertId);
      // Something runs: the watchdog looks at it every few seconds until nothing does.
      if (!(await this.ctx.storage.get<string>(WATCH_TIMER)) && stillWatching(await this.ledger.all()))
        await this.ctx.storage.put(WATCH_TIMER, new Date(Date.now() + WATCH_EVERY_MS).toISOString());
      await this.ctx.storage.delete("reconcile:failures");
      await this.setReconcileTimer(next);
    } catch (err) {
      const failures = ((await this.ctx.storage.get<number>("reconcile:failures")) ?? 0) + 1;
      await this.ctx.storage.put("reconcile:failures", failures);
      log.warn("fanout_reconcile_failed", { alertId, failures, error: err });
      await this.setReconcileTimer(Date.now() + Math.min(RECONCILE_MAX_BACKOFF_MS, RECONCILE_RETRY_MS * 2 ** (failures - 1)));
    }
  }

  /**
   * Rebuilds the alert's public record and hands it to the board (where public reads find
   * it). Kept here first, so that a retry after a failed hand-over adds no CAP message.
   */
  private async syncPublic(alertId: string): Promise<void> {
    const previous = (await this.ctx.storage.get<PublicAlert>(PUBLIC_RECORD)) ?? null;
    const urlsBefore = previous ? await this.publicUrls(alertId) : [];
    const built = await buildPublicAlert(makeDb(this.env.DB), this.env.APP_ORIGIN, alertId, previous, new Date());
    // Issue 28: what is published is signed once per change (the surfaces carry it as it is).
    const next = built && { ...built, signed: previous?.updatedAt === built.updatedAt && previous.signed ? previous.signed : await signStatement(this.env, statementOf(built, this.env.APP_ORIGIN)) };
    // The photos ever shown, so that a stop can purge their cached copies too (hashes only; gone with the purge).
    const shown = new Set([...((await this.ctx.storage.get<string[]>(PUBLIC_PHOTOS)) ?? []), ...(next?.content?.child.photos ?? [])]);
    if (next) await this.ctx.storage.put({ [PUBLIC_RECORD]: next, [PUBLIC_PHOTOS]: [...shown] });
    else await this.ctx.storage.delete([PUBLIC_RECORD, PUBLIC_PHOTOS]);
    await boardStub(this.env).setPublic(alertId, next);
    await this.ctx.storage.delete(PUBLIC_DIRTY);
    if (previous?.updatedAt !== next?.updatedAt) {
      this.publicChanged = [...new Set([...urlsBefore, ...(await this.publicUrls(alertId))])];
      // Issue 28: an alert that targets a country abroad (and, once it did, each later message — the Cancel too) goes to
      // that country's peer system, once the authorities are informed; best effort here, the job retries. Not awaited:
      // the first browsers' page (issue 30) never waits on it.
      const abroad = next?.content?.targeting.regions.some((r) => !r.startsWith("BE")) ?? false;
      if (abroad) await this.ctx.storage.put(TARGETED_ABROAD, true);
      if (next && (abroad || (await this.ctx.storage.get<boolean>(TARGETED_ABROAD))))
        this.ctx.waitUntil(this.env.FANOUT.send({ type: "peer_handoff", alertId }).catch((err) => log.warn("peer_handoff_enqueue_failed", { alertId, error: err })));
    }
  }

  /** Set by syncPublic when the public record changed during the current command: its URLs, to purge. */
  private publicChanged: string[] | null = null;

  private takePublicChange(): string[] | undefined {
    const urls = this.publicChanged ?? undefined;
    this.publicChanged = null;
    return urls;
  }

  /** The public record as this object last built it (tests, the dashboard). */
  async publicRecord(): Promise<PublicAlert | null> {
    return (await this.ctx.storage.get<PublicAlert>(PUBLIC_RECORD)) ?? null;
  }

  /** Every public URL that has shown something of this alert: what a stop purges from the edge cache. */
  async publicUrls(alertId: string): Promise<string[]> {
    const record = await this.publicRecord();
    return publicPaths(alertId, record?.messages.length ?? 0, (await this.ctx.storage.get<string[]>(PUBLIC_PHOTOS)) ?? []);
  }

  private async wake(): Promise<void> {
    await this.setReconcileTimer(Date.now());
  }

  private async setReconcileTimer(at: number | null): Promise<void> {
    if (at === null) await this.ctx.storage.delete(RECONCILE_TIMER);
    else await this.ctx.storage.put(RECONCILE_TIMER, new Date(at).toISOString());
    await this.armAlarm();
  }

  /** Rule: every broadcast's outcome per channel is in the audit trail (counts only). */
  private async auditFinished(alertId: string): Promise<void> {
    const finished = (await this.ledger.all()).filter((c) => fanoutFinished(c) && !c.audited);
    if (!finished.length) return;
    await commit(
      makeDb(this.env.DB),
      [],
      finished.map((c) => ({
        alertId,
        actorRole: "system",
        action: "broadcast_completed",
        details: {
          broadcastId: c.fanoutId,
          channel: c.channel,
          event: c.event,
          version: c.version,
          outcome: c.switchedOff ? "switched_off" : c.status === "superseded" ? "superseded" : "completed",
          pages: c.pagesPlanned,
          planned: c.sent + c.failed + c.pruned + c.fenced + c.retrying,
          sent: c.sent,
          failed: c.failed,
          removed: c.pruned,
          fenced: c.fenced,
          skipped: c.skipped,
          deadPages: c.deadPages ?? 0,
        },
      })),
    );
    for (const c of finished) await this.ledger.update(c.fanoutId, c.channel, (now) => ({ ...now, audited: true }));
    // A drill withdrawn everywhere: its scorecard is kept now (times only), before any purge.
    if (finished.some((c) => c.event === "stop")) {
      await drillScorecard(makeDb(this.env.DB), alertId, () => this.ledger.all()).catch((err) => {
        if (!(err instanceof AppError)) log.warn("drill_scorecard_failed", { alertId, error: err });
      });
    }
  }

  // ------------------------------------------------------------ intake (issue 14; see intake/desk.ts)

  private readonly desk = new IntakeDesk(this.ctx.storage, () => this.armAlarm(), (account, sid) => deleteCallRecordings(this.env, account, sid));

  /** The 116 000 line of this alert is open while it is live. */
  async lineOpen(): Promise<boolean> {
    return (await this.ctx.storage.get<string>("state")) === "live";
  }

  /** A provider webhook: new, or seen before with the answer it got (a retry gets it again). */
  seenRequest(signature: string): Promise<{ first: true } | { first: false; answer: string | null }> {
    return this.desk.seen(signature, new Date());
  }

  /** Records the answer given to a provider webhook. */
  answeredRequest(signature: string, answer: string): Promise<void> {
    return this.desk.answered(signature, answer);
  }

  async callArrived(sid: string): Promise<Call> {
    const call = await this.desk.callArrived(sid, new Date());
    await this.intakeChanged();
    return call;
  }

  /** Into the queue, unless the line closed meanwhile (then null: the caller is sent to the normal line). */
  async callQueued(sid: string, lang: string, recording: "given" | "refused", from: string | null, account: string | null = null): Promise<Call | null> {
    if (!(await this.lineOpen())) return null;
    const call = await this.desk.callQueued(sid, lang, recording, from, account, new Date());
    await this.intakeChanged();
    return call;
  }

  /** Recordings the purge has still to delete at the provider. */
  recordingsLeft(): Promise<number> {
    return this.desk.recordingsLeft();
  }

  async callEnded(sid: string, bridged: boolean): Promise<void> {
    await this.desk.callEnded(sid, bridged, new Date());
    await this.intakeChanged();
  }

  /** A call-taker takes the longest-waiting call, or the one named; one call goes to one call-taker. */
  async takeCall(userId: string, sid?: string): Promise<Call | null> {
    const call = sid ? await this.desk.take(sid, userId, new Date()) : await this.desk.takeNext(userId, new Date());
    if (call) await this.intakeChanged();
    return call;
  }

  call(sid: string): Promise<Call | null> {
    return this.desk.call(sid);
  }

  async intakeQueue() {
    return { open: await this.lineOpen(), ...(await this.desk.queue()) };
  }

  async intakeMetrics(alertId: string) {
    const { entries, counts } = await this.desk.queue();
    return intakeMetrics(counts, entries.filter((e) => e.status === "waiting").length, await tipFigureRows(makeDb(this.env.DB), alertId));
  }

  /**
   * A tip was recorded: it goes at once to the open screens of those who may read it (the
   * case's investigators, the cell, the call-taker who took it) and its acknowledgement
   * clock starts. Returns when it was forwarded and to how many screens.
   */
  async tipIn(tip: TipView, readers: string[]): Promise<{ forwardedAt: string; screens: number }> {
    const forwardedAt = new Date().toISOString();
    const screens = this.sendTo([...readers.map(userTag), roleTag("cell")], { type: "tip", tip: { ...tip, forwardedAt } });
    await this.desk.startClock(tip.id, tip.receivedAt, tipAckMinutes(this.env));
    await this.intakeChanged();
    return { forwardedAt, screens };
  }

  async tipAcked(tipId: string, ackedAt: string, useful?: boolean | null): Promise<void> {
    await this.desk.stopClock(tipId);
    this.toScreens({ type: "tip_acked", tipId, ackedAt, ...(useful === undefined ? {} : { useful }) });
  }

  /** Every dashboard on this alert hears that the intake moved (counts only; who may, re-reads the tips). */
  private async intakeChanged(): Promise<void> {
    const { entries, counts } = await this.desk.queue();
    this.toScreens({ type: "intake", waiting: entries.filter((e) => e.status === "waiting").length, taken: entries.filter((e) => e.status === "taken").length, ...counts });
  }

  /** The alarm found a tip unacknowledged in time: up one level (audit entry, notices and their e-mail), unless acknowledged meanwhile. */
  private async escalateTip(alertId: string, clock: TipClock, level: number): Promise<boolean> {
    const db = makeDb(this.env.DB);
    const tip = await tipById(db, alertId, clock.tipId);
    if (!tip || tip.ackedAt) return false;
    const roles = TIP_ESCALATION[level] ?? [];
    const now = new Date();
    await commit(
      db,
      [escalateStmt(db, tip.id, level), noticeStmt(db, alertId, "tip_unacknowledged", roles, `${tip.id}:${level}`, now)],
      [{ alertId, actorRole: "system", action: "tip_escalated", details: { tipId: tip.id, level, roles } }],
      now,
    );
    this.toScreens({ type: "tip_escalated", tipId: tip.id, level, roles });
    await this.enqueue([{ type: "mail_notices", alertId }]);
    return true;
  }

  // ------------------------------------------------------------ live feed

  /** A dashboard connects (LiveObject accepts it): the state and the fan-out progress so far. */
  protected async hello() {
    return { state: (await this.ctx.storage.get<string>("state")) ?? null, fanouts: await this.fanouts() };
  }

  private async dropMessages(alertId: string): Promise<void> {
    const keys = [...(await this.ctx.storage.list({ prefix: "message:" })).keys()];
    for (let i = 0; i < keys.length; i += 128) await this.ctx.storage.delete(keys.slice(i, i + 128));
    await Promise.all(allShards(this.env, alertId).map((shard) => shard.dropMessages()));
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
    const now = Date.now();
    const reconcileDue = Date.parse((await this.ctx.storage.get<string>(RECONCILE_TIMER)) ?? "") <= now;
    if (reconcileDue) await this.reconcile();
    const intakeDue = ((await this.desk.nextDue()) ?? Infinity) <= now;
    const watchDue = Date.parse((await this.ctx.storage.get<string>(WATCH_TIMER)) ?? "") <= now;
    if (watchDue) {
      const again = await watchFanouts(this.env, this.ctx.storage, this.ledger, alertId, now).catch((err) => {
        log.warn("fanout_watch_failed", { alertId, error: err });
        return true;
      });
      if (again) await this.ctx.storage.put(WATCH_TIMER, new Date(now + WATCH_EVERY_MS).toISOString());
      else await this.ctx.storage.delete(WATCH_TIMER);
    }
    if (intakeDue) await this.desk.runDue(new Date(now), tipAckMinutes(this.env), (clock, level) => this.escalateTip(alertId, clock, level));
    const due = await Promise.all(TIMER_NAMES.map(async (n) => Date.parse((await this.ctx.storage.get<string>(`timer:${n}`)) ?? "") <= now));
    // A wake-up for the fan-out or the tips' clocks alone does not tick; any other alarm does (the tick reads D1, the truth).
    if (due.some(Boolean) || (!reconcileDue && !intakeDue && !watchDue)) {
      const outcome = await this.serialised(() => this.run(alertId, { type: "tick" }));
      // A failed tick throws so the runtime retries the alarm with backoff.
      if (!outcome.ok && outcome.error.code === "E_INTERNAL") throw new Error("alert tick failed; alarm will retry");
    }
    await this.armAlarm();
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    return this.commands.run(fn);
  }

  private async run(alertId: string, cmd: AlertCommand): Promise<CommandOutcome> {
    let closed = false;
    const shards = allShards(this.env, alertId);
    /** The stop fence closes once the rules have accepted ending the live alert: a refused command never holds senders back. */
    const closeFence = async (): Promise<Date> => {
      if ((await this.ctx.storage.get<boolean>("fence:closed")) === true) return new Date();
      closed = true;
      await this.ctx.storage.put("fence:closed", true);
      // Every ledger shard tells its senders the fence is closing and answers once each page
      // run holding a lease has let its sends in flight get their answers (or reported):
      // then no content can be accepted after the commit, however slow the far side or
      // starved the sender. A shard that cannot be reached leases nothing meanwhile: its
      // senders' leases run out within MAX_LEASE_MS.
      const closedAt = Date.now();
      const waits = await Promise.allSettled(shards.map((shard) => shard.close(alertId)));
      const unreachable = waits.filter((w) => w.status === "rejected").length;
      if (unreachable) {
        log.warn("stop_fence_shards_unreachable", { alertId, shards: unreachable });
        await new Promise((r) => setTimeout(r, Math.max(0, closedAt + MAX_LEASE_MS + DRAIN_GRACE_MS - Date.now())));
      }
      log.info("stop_fence_closed", { alertId, command: cmd.type, shards: shards.length, waitedMs: Date.now() - closedAt });
      return new Date();
    };
    /** Tells every shard how the closing command ended (retried: a shard left closing would hold its senders for a minute). */
    const settleFence = async (committed: boolean) => {
      if (!closed) return;
      for (let attempt = 1; attempt <= 3; attempt++) {
        const r = await Promise.allSettled(shards.map((shard) => shard.settle(committed)));
        if (r.every((x) => x.status === "fulfilled")) return;
        log.warn("stop_fence_settle_failed", { alertId, attempt });
      }
    };
    const t0 = Date.now();
    try {
      const result = await executeCommand(
        {
          db: makeDb(this.env.DB),
          media: this.env.MEDIA,
          retentionHours: retentionHours(this.env),
          inactiveRetentionHours: inactiveRetentionHours(this.env),
          now: new Date(),
          beforeEndingLive: closeFence,
        },
        alertId,
        cmd,
      );
      await this.ctx.storage.put("state", result.state);
      if (result.changed && cmd.type !== "tick") log.info("alert_command", { alertId, command: cmd.type, state: result.state, ms: Date.now() - t0 });
      // The purge also reaches this object: the prepared messages carry the child's name
      // and description. Counters (numbers only) stay for the yearly statistics.
      if (result.state === "purged" && result.changed) {
        await this.dropMessages(alertId);
        await this.desk.forgetCallers(new Date());
      }
      await settleFence(true);
      if (result.timers) await this.setTimers(result.timers);
      // What the public sees changed (launch, published update, extension, stop, expiry, purge): the
      // board's public record is rebuilt by the reconciler below, retried by the alarm until it is.
      const publicChange = result.changed && (result.state === "live" || ENDED_STATES.includes(result.state as AlertState));
      if (publicChange) await this.ctx.storage.put(PUBLIC_DIRTY, true);
      if (result.changed) {
        this.toScreens({ type: "state", command: cmd.type, state: result.state, endsAt: result.endsAt ?? undefined });
        // Open alert lists refresh too; best effort: a list that misses it still shows the truth on reload.
        this.ctx.waitUntil(
          boardStub(this.env)
            .notify({ type: "alert", alertId, state: result.state, command: cmd.type })
            .catch((err) => log.warn("board_notify_failed", { alertId, error: err })),
        );
      }
      // The broadcast is in the outbox with the commit; plan it now (the alarm retries if this fails).
      if (result.broadcasts?.length || publicChange) await this.reconcileNow(result.broadcasts ?? []);
      const jobs = (result.jobs ?? []).filter((j) => this.env.POSTERS_ON_SAVE !== "false" || j.type !== "render_posters");
      if (jobs.length) await this.enqueue(jobs);
      return { ok: true, result, publicUrls: this.takePublicChange() };
    } catch (err) {
      // The end did not commit: reopen, and the senders waiting on it carry on.
      if (closed) await this.ctx.storage.delete("fence:closed");
      await settleFence(false);
      if (err instanceof AppError) return { ok: false, error: toPayload(err) };
      log.error("alert_command_failed", { alertId, command: cmd.type, error: err });
      return { ok: false, error: { code: "E_INTERNAL" } };
    }
  }

  /**
   * Background work after the commit (poster renders). A failed send is logged, not
   * fatal: the command stands, and the poster preview re-requests missing renders.
   */
  private async enqueue(jobs: Job[]): Promise<void> {
    for (const job of jobs) {
      try {
        await this.env.FANOUT.send(job);
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
    await this.armAlarm();
  }

  /** One alarm for every timer: the earliest due. */
  private async armAlarm(): Promise<void> {
    const pending = (await Promise.all([...TIMER_NAMES.map((n) => `timer:${n}`), RECONCILE_TIMER, WATCH_TIMER].map((key) => this.ctx.storage.get<string>(key))))
      .filter((v): v is string => !!v)
      .map((v) => Date.parse(v));
    const intake = await this.desk.nextDue();
    if (intake !== null) pending.push(intake);
    if (pending.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...pending));
  }
}
