// The alert's intake desk (issue 14), kept in the alert's Durable Object storage (one
// writer: two call-takers can never take the same call; an acknowledgement and an
// escalation never race). It holds:
// - the 116 000 line's queue: each caller's state (menu, waiting, taken, answered,
//   abandoned), since when, who took the call; kept in step with the provider's callbacks;
// - the tips' acknowledgement clocks: a tip not acknowledged in time goes up the chain
//   (domain TIP_ESCALATION) when the object's alarm fires;
// - the webhook signatures already seen, with the answer each got (a provider's retry, or a
//   replay, gets that answer again and changes nothing).
// The line is open while the alert is live; the tips themselves live in D1.
import { escalationDue, medianAndWorst, TIP_TOP_LEVEL } from "../domain/index.ts";
import { log } from "../log.ts";

export type CallStatus = "menu" | "waiting" | "taken" | "answered" | "abandoned";

export interface Call {
  sid: string;
  lang: string;
  /** "given": told the call is recorded and did not object; "refused": objected (the number is not kept). */
  recording: "given" | "refused" | null;
  /** The caller's number, only with recording "given"; erased by the purge. */
  from: string | null;
  /** The provider account the call came in on (AccountSid): where its recording is deleted at the purge. */
  account?: string | null;
  status: CallStatus;
  since: string;
  waitingSince: string | null;
  takenBy: string | null;
  takenAt: string | null;
  endedAt: string | null;
}

/** What a dashboard sees of a call waiting or taken: no number. */
export interface QueueEntry {
  sid: string;
  lang: string;
  recording: Call["recording"];
  status: CallStatus;
  waitingSince: string | null;
  takenBy: string | null;
}

export interface TipClock {
  tipId: string;
  receivedAt: string;
  level: number;
  due: string;
}

export interface IntakeCounts {
  calls: number;
  answered: number;
  abandoned: number;
}

const CALL = "call:";
/** A recording still to delete at the provider after the purge. */
const RECORDING = "recdel:";
interface RecordingTask {
  account: string;
  sid: string;
  due: string;
  tries: number;
}
const CLOCK = "tipclock:";
const SIG = "sig:";
const COUNTS = "intake:counts";
/** The alarm's due time for the tips' clocks (read by the object's armAlarm). */
export const INTAKE_TIMER = "timer:intake";
/** Replayed provider requests are refused for this long (a provider's webhook is answered in seconds). */
const SIGNATURE_MEMORY_MS = 24 * 3600_000;

export class IntakeDesk {
  private readonly storage: DurableObjectStorage;
  private readonly arm: () => Promise<void>;
  private readonly deleteRecording: (account: string, callSid: string) => Promise<unknown>;

  constructor(storage: DurableObjectStorage, arm: () => Promise<void>, deleteRecording: (account: string, callSid: string) => Promise<unknown>) {
    this.storage = storage;
    this.arm = arm;
    this.deleteRecording = deleteRecording;
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * A signed provider request, seen for the first time ("new": the caller computes the
   * answer and records it with `answered`), or again: the provider retrying (a timeout, a
   * dropped connection) or someone replaying it. Either way it gets the answer the first
   * one got, and nothing is done twice; null while the first is still being answered.
   */
  async seen(signature: string, now: Date): Promise<{ first: true } | { first: false; answer: string | null }> {
    const key = SIG + signature;
    const got = await this.storage.get<number | { at: number; answer?: string }>(key);
    if (got !== undefined) return { first: false, answer: typeof got === "object" ? (got.answer ?? null) : null };
    await this.storage.put(key, { at: now.getTime() });
    // Forget the old ones now and then (cheap: a list bounded by one day's calls).
    if (Math.random() < 0.05) {
      const at = (v: number | { at: number }) => (typeof v === "object" ? v.at : v);
      const old = [...(await this.storage.list<number | { at: number }>({ prefix: SIG })).entries()].filter(([, v]) => now.getTime() - at(v) > SIGNATURE_MEMORY_MS).map(([k]) => k);
      for (let i = 0; i < old.length; i += 128) await this.storage.delete(old.slice(i, i + 128));
    }
    return { first: true };
  }

  /** Records the answer given to a signed request (what a retry of it gets). */
  async answered(signature: string, answer: string): Promise<void> {
    const key = SIG + signature;
    const got = await this.storage.get<number | { at: number }>(key);
    await this.storage.put(key, { at: typeof got === "object" ? got.at : (got ?? Date.now()), answer });
  }

  // ---------------------------------------------------------------- calls

  private async counts(): Promise<IntakeCounts> {
    return (await this.storage.get<IntakeCounts>(COUNTS)) ?? { calls: 0, answered: 0, abandoned: 0 };
  }

  private async bump(field: keyof IntakeCounts): Promise<void> {
    const c = await this.counts();
    c[field]++;
    await this.storage.put(COUNTS, c);
  }

  async call(sid: string): Promise<Call | null> {
    return (await this.storage.get<Call>(CALL + sid)) ?? null;
  }

  /** A call reached the line's menu (counted once per call). */
  async callArrived(sid: string, now: Date): Promise<Call> {
    const known = await this.call(sid);
    if (known) return known;
    const call: Call = { sid, lang: "fr", recording: null, from: null, status: "menu", since: now.toISOString(), waitingSince: null, takenBy: null, takenAt: null, endedAt: null };
    await this.storage.put(CALL + sid, call);
    await this.bump("calls");
    return call;
  }

  /** The caller chose a language and heard the recording notice: into the queue. */
  async callQueued(sid: string, lang: string, recording: "given" | "refused", from: string | null, account: string | null, now: Date): Promise<Call> {
    const call = (await this.call(sid)) ?? (await this.callArrived(sid, now));
    if (call.status !== "menu") return call;
    const next: Call = { ...call, lang, recording, from: recording === "given" ? from : null, account, status: "waiting", waitingSince: now.toISOString() };
    await this.storage.put(CALL + sid, next);
    return next;
  }

  /**
   * The call left the queue or ended (the provider's Enqueue action or status callback):
   * bridged to a call-taker → answered; hung up while waiting or in the menu → abandoned.
   */
  async callEnded(sid: string, bridged: boolean, now: Date): Promise<Call | null> {
    const call = await this.call(sid);
    if (!call || call.endedAt) return call;
    const answered = bridged || call.status === "taken";
    const next: Call = { ...call, status: answered ? "answered" : "abandoned", endedAt: now.toISOString() };
    await this.storage.put(CALL + sid, next);
    await this.bump(answered ? "answered" : "abandoned");
    return next;
  }

  /** The longest-waiting caller goes to this call-taker (the provider's queue is first in, first out too). */
  async takeNext(userId: string, now: Date): Promise<Call | null> {
    const waiting = (await this.calls()).filter((c) => c.status === "waiting").sort((a, b) => (a.waitingSince ?? "").localeCompare(b.waitingSince ?? ""));
    const call = waiting[0];
    if (!call) return null;
    const next: Call = { ...call, status: "taken", takenBy: userId, takenAt: now.toISOString() };
    await this.storage.put(CALL + call.sid, next);
    return next;
  }

  /** One call by its id for this call-taker: null if it is not waiting any more (someone else took it, or the caller left). */
  async take(sid: string, userId: string, now: Date): Promise<Call | null> {
    const call = await this.call(sid);
    if (!call || call.status !== "waiting") return null;
    const next: Call = { ...call, status: "taken", takenBy: userId, takenAt: now.toISOString() };
    await this.storage.put(CALL + sid, next);
    return next;
  }

  private async calls(): Promise<Call[]> {
    return [...(await this.storage.list<Call>({ prefix: CALL })).values()];
  }

  /** The live queue: callers waiting and calls being taken, oldest first; and the counts. */
  async queue(): Promise<{ entries: QueueEntry[]; counts: IntakeCounts }> {
    const entries = (await this.calls())
      .filter((c) => c.status === "waiting" || c.status === "taken")
      .sort((a, b) => (a.waitingSince ?? "").localeCompare(b.waitingSince ?? ""))
      .map(({ sid, lang, recording, status, waitingSince, takenBy }) => ({ sid, lang, recording, status, waitingSince, takenBy }));
    return { entries, counts: await this.counts() };
  }

  /**
   * The purge: the recordings go at the provider, then every call record (the callers'
   * numbers and the CallSids, the key to the recordings) and the signatures seen; the
   * counts stay. A recording the provider could not delete now is kept as a task (its
   * account and CallSid, nothing else) and tried again by the alarm until it goes.
   */
  async forgetCallers(now: Date): Promise<void> {
    for (const call of await this.calls()) {
      if (call.recording === "given" && call.account) await this.storage.put(RECORDING + call.sid, { account: call.account, sid: call.sid, due: now.toISOString(), tries: 0 } satisfies RecordingTask);
    }
    const calls = [...(await this.storage.list({ prefix: CALL })).keys()];
    const sigs = [...(await this.storage.list({ prefix: SIG })).keys()];
    const keys = [...calls, ...sigs];
    for (let i = 0; i < keys.length; i += 128) await this.storage.delete(keys.slice(i, i + 128));
    await this.deleteRecordings(now);
  }

  /** Deletes the recordings due; a failure is tried again later (1 min, doubling, at most an hour apart). */
  private async deleteRecordings(now: Date): Promise<void> {
    const due = [...(await this.storage.list<RecordingTask>({ prefix: RECORDING })).values()].filter((t) => Date.parse(t.due) <= now.getTime());
    for (const task of due) {
      try {
        await this.deleteRecording(task.account, task.sid);
        await this.storage.delete(RECORDING + task.sid);
      } catch (err) {
        const wait = Math.min(3600_000, 60_000 * 2 ** task.tries);
        await this.storage.put(RECORDING + task.sid, { ...task, tries: task.tries + 1, due: new Date(now.getTime() + wait).toISOString() });
        log.warn("recording_delete_failed", { tries: task.tries + 1, error: err });
      }
    }
    await this.arm();
  }

  /** Recordings the purge has still to delete at the provider (counts only: for the tests and the dashboard). */
  async recordingsLeft(): Promise<number> {
    return (await this.storage.list({ prefix: RECORDING })).size;
  }

  // ---------------------------------------------------------------- tips' clocks

  /** A tip was forwarded: its acknowledgement clock starts. */
  async startClock(tipId: string, receivedAt: string, ackMinutes: number): Promise<void> {
    const due = escalationDue(receivedAt, 0, ackMinutes);
    if (!due) return;
    await this.storage.put(CLOCK + tipId, { tipId, receivedAt, level: 0, due: due.toISOString() } satisfies TipClock);
    await this.arm();
  }

  async stopClock(tipId: string): Promise<void> {
    await this.storage.delete(CLOCK + tipId);
    await this.arm();
  }

  /** The clocks due now; `escalate` raises each (returns false if the tip was acknowledged meanwhile), the clock moves to the next level or stops at the top. */
  async runDue(now: Date, ackMinutes: number, escalate: (clock: TipClock, level: number) => Promise<boolean>): Promise<void> {
    await this.deleteRecordings(now);
    const clocks = [...(await this.storage.list<TipClock>({ prefix: CLOCK })).values()].filter((c) => Date.parse(c.due) <= now.getTime());
    for (const clock of clocks) {
      const level = clock.level + 1;
      const stillOpen = await escalate(clock, level);
      const due = stillOpen ? escalationDue(clock.receivedAt, level, ackMinutes) : null;
      if (!due || level >= TIP_TOP_LEVEL) await this.storage.delete(CLOCK + clock.tipId);
      else await this.storage.put(CLOCK + clock.tipId, { ...clock, level, due: due.toISOString() });
    }
    await this.arm();
  }

  /** The earliest clock or recording deletion, for the object's alarm. */
  async nextDue(): Promise<number | null> {
    const dues = [
      ...[...(await this.storage.list<TipClock>({ prefix: CLOCK })).values()].map((c) => Date.parse(c.due)),
      ...[...(await this.storage.list<RecordingTask>({ prefix: RECORDING })).values()].map((t) => Date.parse(t.due)),
    ];
    return dues.length ? Math.min(...dues) : null;
  }
}

/** The per-alert figures of the intake: calls from the desk, tips from D1 (PII-free either way). */
export function intakeMetrics(
  counts: IntakeCounts,
  waiting: number,
  tips: { source: string; urgent: boolean; receivedAt: string; forwardedAt: string | null; ackedAt: string | null; useful: boolean | null; escalation: number }[],
) {
  const ms = (from: string, to: string | null) => (to ? Date.parse(to) - Date.parse(from) : null);
  const forwarded = tips.map((t) => ms(t.receivedAt, t.forwardedAt)).filter((v): v is number => v !== null);
  const acked = tips.map((t) => ms(t.receivedAt, t.ackedAt)).filter((v): v is number => v !== null);
  return {
    calls: { ...counts, waiting },
    tips: {
      total: tips.length,
      web: tips.filter((t) => t.source === "web").length,
      call: tips.filter((t) => t.source === "call").length,
      urgent: tips.filter((t) => t.urgent).length,
      acknowledged: acked.length,
      useful: tips.filter((t) => t.useful === true).length,
      notUseful: tips.filter((t) => t.useful === false).length,
      escalated: tips.filter((t) => t.escalation > 0).length,
    },
    toForwardMs: medianAndWorst(forwarded),
    toAcknowledgeMs: medianAndWorst(acked),
  };
}

export type IntakeMetrics = ReturnType<typeof intakeMetrics>;
