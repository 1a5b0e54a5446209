// The alert's fan-out ledger, kept in the alert's Durable Object storage (one writer, so
// every check-and-mark below is atomic). It holds, per broadcast and channel: counters,
// the page plan and how far it is enqueued; per channel: the running/pending content
// sweep. The page protocol itself (claims, leases — the stop fence —, which pages are
// done, and for every recipient key the last content version it may have been sent)
// lives in the ledger's shards (page-book.ts, shard-object.ts: per channel and key
// span), so that a national alert's pages spread over many objects; each shard sends
// back what its pages counted (applyPages), and the counters here are their sums.
import type { BroadcastEvent } from "../channels/channel.ts";
import type { ChannelName } from "../channels/index.ts";
import type { Audience } from "../domain/index.ts";
import { Serial } from "../serial.ts";

/**
 * How long one "yes" of the stop fence is valid for a sender, at least. A closing command
 * commits once every sender holding a lease has come back, found the fence closing and
 * drained (its sends in flight answered). 200 ms: a few Durable Object calls per page
 * instead of one per send, and the stop still commits within ~0.3 s plus the slowest send.
 */
export const SEND_LEASE_MS = 200;
/**
 * Senders ask for longer leases when the ledger answers slowly (twice the round trip), up
 * to this: under load a 200 ms lease would expire before its answer arrives and the page
 * would never send. A stop waits at most this plus DRAIN_GRACE_MS for a sender that never
 * comes back.
 */
export const MAX_LEASE_MS = 5_000;
/**
 * A closing command commits once every page run holding a lease has said it sends
 * nothing more (it reported, or it drained: the sends it had in flight got their answers).
 * A run that has not said so within this long after its lease ran out is presumed dead
 * (its consumer crashed) and holds the stop back no longer.
 */
export const DRAIN_GRACE_MS = 3_000;
/** Recipient keys per bucket of the last-version map (8 KiB of Uint16 per bucket). */
export const BUCKET = 4096;

/**
 * What one page job counts; the fan-out counters are their sums. retrying: net change of
 * recipients waiting for a retry; fenced: not sent because the stop fence closed first;
 * skipped: outside the targeting, or already holding this version.
 */
export const PAGE_COUNTS = ["sent", "failed", "pruned", "retrying", "fenced", "skipped"] as const;
export type PageCounts = Record<(typeof PAGE_COUNTS)[number], number>;
export const NO_COUNTS: PageCounts = Object.fromEntries(PAGE_COUNTS.map((k) => [k, 0])) as PageCounts;

/** waiting: a newer content sweep waits for the running one, or a retraction for pages in flight. */
export const FANOUT_STATUSES = ["waiting", "running", "done", "superseded"] as const;
export type FanoutStatus = (typeof FANOUT_STATUSES)[number];

/** A fan-out that will send nothing more: every page passed, or a newer version took over. */
export const fanoutFinished = (c: { status: FanoutStatus }) => c.status === "done" || c.status === "superseded";

/** Per broadcast and channel counters, aggregated here from page reports (never a row per delivery in D1). */
export interface FanoutCounters extends PageCounts {
  fanoutId: string;
  channel: ChannelName;
  event: BroadcastEvent;
  versionId: string;
  version: number;
  startedAt: string;
  status: FanoutStatus;
  pagesPlanned: number;
  pagesDone: number;
  /** Page jobs that exhausted their retries and went to the dead-letter queue. */
  deadPages?: number;
  /** The admin had switched the channel off: nothing was sent for this message. */
  switchedOff?: boolean;
  /** Issue 29: the channel does not carry this kind of broadcast (a search notice on web push and e-mail; on social networks unless the magistrate asked). */
  notCarried?: boolean;
  /** Since when a retraction waits for content pages still in flight. */
  waitingSince?: string;
  completedAt?: string;
  /** The outcome was appended to the audit trail. */
  audited?: boolean;
  /**
   * How the deliveries came in (issue 27: the drill's scorecard reads first, 50 %, 99 % and
   * 100 % from it): [ms since startedAt, sent so far], a point per hand-over of page counts,
   * thinned to at most PROGRESS_POINTS.
   */
  progress?: [number, number][];
  /** An open incident (issue 27: the watchdog paged the operator and the cell): why, since when. */
  incident?: { reason: "stalled" | "failing"; since: string };
}

/** A version's composed message on one channel, per language. */
export interface StoredMessage {
  event: BroadcastEvent;
  /** The content version (0 for the retraction). */
  version: number;
  /** Who gets it (null for the retraction: whoever may have received content). */
  audience: Audience | null;
  byLang: Record<string, unknown>;
  endsAt: string | null;
}

export interface PageRef {
  alertId: string;
  fanoutId: string;
  channel: ChannelName;
  event: BroadcastEvent;
  pageKey: string;
  /** A random id per page run: two runs of one page never send at once. */
  claim: string;
}
export type PageSel = { from: number; to: number } | { keys: number[] };

export type PageStart =
  | { status: "done" | "busy" | "missing" }
  /**
   * `uncertain`: keys an earlier run of this page marked but never reported (it died
   * mid-page): they may or may not have received the message, so they get it again
   * (at least once, never lost) and keep their mark for the retraction.
   */
  | { status: "go"; message: StoredMessage; lv: [number, number][]; uncertain: number[] };

export interface GateAnswer {
  open: boolean;
  /**
   * A closing command (stop, expiry) is being committed: start no send, let the ones in
   * flight get their answers, then ask again with `drained` (that answer waits for the
   * command's outcome). Not a refusal: the command may still fail and the fence reopen.
   */
  closing?: true;
  /** The newest published version; with its message when it is not the one the sender has. */
  version: number;
  message?: StoredMessage;
}

/** A part of a planned page that crosses key spans: the planned page counts as done once all its parts are. */
export interface PlannedPage {
  pageKey: string;
  parts: number;
}

export interface PageReport extends PageRef {
  firstPass: boolean;
  planned?: PlannedPage;
  counts: PageCounts;
  /** Keys that may have received content, with that version (content pages). */
  sent: [number, number][];
  /** Keys marked before sending that were not sent after all, with their previous version. */
  unsent: [number, number][];
}

/** What one page (or its dead letter) adds to the fan-out's counters: a shard hands it to the alert's ledger once. */
export interface PageDelta {
  fanoutId: string;
  channel: ChannelName;
  pageKey: string;
  event: BroadcastEvent;
  firstPass: boolean;
  planned?: PlannedPage;
  counts?: PageCounts;
  /** The page job went to the dead-letter queue; `retryingLost` recipients were waiting for a retry. */
  dead?: true;
  retryingLost?: number;
}

export interface LedgerHooks {
  /** Tell the open dashboards. */
  /** A message to the screens watching the alert (its live WebSocket feed): not a broadcast. */
  toScreens(message: unknown): void;
  /** Ask the owner to run its reconciler soon (a fan-out finished, a retraction may start). */
  wake(): Promise<void>;
}

const k = {
  counters: (id: string, ch: string) => `fanout:${id}:${ch}`,
  plan: (id: string, ch: string) => `plan:${id}:${ch}`,
  starts: (id: string, ch: string, i: number) => `starts:${id}:${ch}:${i}`,
  message: (ch: string, v: number | "stop") => `message:${ch}:${v}`,
  /** A page's counts were added (a shard that hands them over twice changes nothing). */
  applied: (r: Pick<PageDelta, "fanoutId" | "channel" | "pageKey">) => `page:${r.fanoutId}:${r.channel}:${r.pageKey}`,
  parts: (r: Pick<PageDelta, "fanoutId" | "channel">, planned: string) => `parts:${r.fanoutId}:${r.channel}:${planned}`,
  sweep: (ch: string) => `sweep:${ch}`,
  rate: (ch: string) => `rate:${ch}`,
  stopWaiting: (ch: string) => `stopwait:${ch}`,
};

export interface Plan {
  pages: number;
  end: number;
  enqueued: number;
}
const STARTS_PER_CHUNK = 2000;
/** The page starts are stored in chunks (a storage value stays small). */
const chunksOf = (p: Plan) => Math.ceil(p.pages / STARTS_PER_CHUNK);

export interface Sweep {
  running?: string;
  pending?: string;
}

/** The throughput series (issue 27: the live panel's chart): buckets of this many seconds, the last THROUGHPUT_BUCKETS kept. */
export const THROUGHPUT_BUCKET_S = 5;
export const THROUGHPUT_BUCKETS = 180;
/** One bucket: its start (epoch ms), then what the channel's pages sent, had refused and put back for a retry in it. */
export type ThroughputPoint = [at: number, sent: number, failed: number, retried: number];

/** Points kept in a fan-out's progress (every other one dropped when full; the first and last stay). */
export const PROGRESS_POINTS = 64;
function noteProgress(c: FanoutCounters, now: number): void {
  const p = (c.progress ??= []);
  const at = Math.max(0, now - Date.parse(c.startedAt));
  if (p.at(-1)?.[1] === c.sent) return;
  if (p.at(-1)?.[0] === at) p[p.length - 1] = [at, c.sent];
  else p.push([at, c.sent]);
  if (p.length > PROGRESS_POINTS) c.progress = [...p.slice(0, -1).filter((_, i) => i % 2 === 0), p.at(-1)!];
}

export const firstPassDone = (c: FanoutCounters) => c.pagesDone + (c.deadPages ?? 0) >= c.pagesPlanned;

export class FanoutLedger {
  private readonly storage: DurableObjectStorage;
  private readonly hooks: LedgerHooks;
  /**
   * Every read-modify-write of the ledger runs alone. The object's input gate already
   * keeps storage-only sequences apart, but senders released together from a closing
   * command, and the planner awaiting D1 or a queue, would otherwise interleave.
   */
  private readonly serial = new Serial();
  constructor(storage: DurableObjectStorage, hooks: LedgerHooks) {
    this.storage = storage;
    this.hooks = hooks;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(fn);
  }

  // ------------------------------------------------------------ planning (inside the object)

  counters = (id: string, ch: string) => this.storage.get<FanoutCounters>(k.counters(id, ch));
  putCounters = (c: FanoutCounters) => this.locked(() => this.storage.put(k.counters(c.fanoutId, c.channel), c));

  /** Updates stored counters (whatever pages reported meanwhile stays). */
  update = (id: string, ch: string, change: (c: FanoutCounters) => FanoutCounters | null) =>
    this.locked(async () => {
      const c = await this.counters(id, ch);
      const next = c ? change(c) : null;
      if (next) await this.storage.put(k.counters(id, ch), next);
      return next;
    });
  /** The alert's copy of a version's message (the shards have theirs): a plan resumed after a crash hands it to them again. */
  message = (ch: string, v: number | "stop") => this.storage.get<StoredMessage>(k.message(ch, v));
  putMessage = (ch: string, m: StoredMessage) => this.storage.put(k.message(ch, m.event === "stop" ? "stop" : m.version), m);
  sweep = async (ch: string) => (await this.storage.get<Sweep>(k.sweep(ch))) ?? {};
  setSweep = (ch: string, s: Sweep) => this.storage.put(k.sweep(ch), s);

  /** Stores the page plan once; a second call (a replan after a crash) keeps the first. */
  storePlan(c: FanoutCounters, starts: number[], end: number): Promise<Plan> {
    return this.locked(() => this.storePlanNow(c, starts, end));
  }

  private async storePlanNow(c: FanoutCounters, starts: number[], end: number): Promise<Plan> {
    const existing = await this.storage.get<Plan>(k.plan(c.fanoutId, c.channel));
    if (existing) return existing;
    const plan: Plan = { pages: starts.length, end, enqueued: 0 };
    const entries: Record<string, unknown> = { [k.plan(c.fanoutId, c.channel)]: plan, [k.counters(c.fanoutId, c.channel)]: c };
    for (let i = 0; i < chunksOf(plan); i++) entries[k.starts(c.fanoutId, c.channel, i)] = starts.slice(i * STARTS_PER_CHUNK, (i + 1) * STARTS_PER_CHUNK);
    // put() takes at most 128 entries at once.
    const all = Object.entries(entries);
    for (let i = 0; i < all.length; i += 128) await this.storage.put(Object.fromEntries(all.slice(i, i + 128)));
    this.hooks.toScreens({ type: "fanout", counters: c });
    return plan;
  }

  plan = (id: string, ch: string) => this.storage.get<Plan>(k.plan(id, ch));

  /** The planned pages as key ranges. */
  async pages(id: string, ch: string): Promise<{ from: number; to: number }[]> {
    const plan = await this.plan(id, ch);
    if (!plan) return [];
    const starts: number[] = [];
    for (let i = 0; i < chunksOf(plan); i++) starts.push(...((await this.storage.get<number[]>(k.starts(id, ch, i))) ?? []));
    return starts.map((from, i) => ({ from, to: starts[i + 1] ?? plan.end }));
  }

  markEnqueued(id: string, ch: string, enqueued: number): Promise<void> {
    return this.locked(() => this.markEnqueuedNow(id, ch, enqueued));
  }

  private async markEnqueuedNow(id: string, ch: string, enqueued: number): Promise<void> {
    const plan = await this.plan(id, ch);
    if (plan && enqueued > plan.enqueued) await this.storage.put(k.plan(id, ch), { ...plan, enqueued });
  }

  /** A retraction on the channel waits for the content pages in flight (the last report wakes the planner). */
  setStopWaiting = (ch: string, waiting: boolean) => (waiting ? this.storage.put(k.stopWaiting(ch), true) : this.storage.delete(k.stopWaiting(ch)));

  stopWaiting = async (ch: string) => (await this.storage.get<boolean>(k.stopWaiting(ch))) === true;

  /** Each channel's recent throughput (every broadcast of the alert together). */
  async throughput(): Promise<Record<string, ThroughputPoint[]>> {
    const m = await this.storage.list<ThroughputPoint[]>({ prefix: "rate:" });
    return Object.fromEntries([...m].map(([key, points]) => [key.slice("rate:".length), points]));
  }

  async all(): Promise<FanoutCounters[]> {
    const m = await this.storage.list<FanoutCounters>({ prefix: "fanout:" });
    return [...m.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.channel.localeCompare(b.channel));
  }

  // ------------------------------------------------------------ what the shards' pages counted

  /**
   * Adds the pages' counts (each page once: a shard that hands a page over again changes
   * nothing), tells the screens, and wakes the reconciler when a sweep finished, a first
   * pass completed, or a retraction waits for the channel's content pages in flight.
   */
  applyPages(deltas: PageDelta[]): Promise<void> {
    return this.locked(() => this.applyPagesNow(deltas));
  }

  /** Adds the pages' counts to their channel's current bucket; returns the series to store. */
  private async addThroughput(deltas: PageDelta[], now = Date.now()): Promise<Record<string, ThroughputPoint[]>> {
    const at = Math.floor(now / (THROUGHPUT_BUCKET_S * 1000)) * THROUGHPUT_BUCKET_S * 1000;
    const out: Record<string, ThroughputPoint[]> = {};
    for (const d of deltas) {
      if (!d.counts) continue;
      const key = k.rate(d.channel);
      const series = out[key] ?? [...((await this.storage.get<ThroughputPoint[]>(key)) ?? [])];
      let last = series.at(-1);
      if (!last || last[0] !== at) series.push((last = [at, 0, 0, 0]));
      last[1] += d.counts.sent;
      last[2] += d.counts.failed;
      last[3] += Math.max(0, d.counts.retrying);
      out[key] = series.slice(-THROUGHPUT_BUCKETS);
    }
    return out;
  }

  private async applyPagesNow(deltas: PageDelta[]): Promise<void> {
    const changed = new Map<string, FanoutCounters>();
    const parts = new Map<string, { done: number; dead: boolean }>();
    const applied: Record<string, true> = {};
    let wake = false;
    for (const d of deltas) {
      const key = k.applied(d);
      if (applied[key] || (await this.storage.get<boolean>(key))) continue;
      const id = k.counters(d.fanoutId, d.channel);
      const c = changed.get(id) ?? (await this.counters(d.fanoutId, d.channel));
      if (!c) continue;
      applied[key] = true;
      const before = firstPassDone(c);
      if (d.dead) {
        c.retrying = Math.max(0, c.retrying - (d.retryingLost ?? 0));
        c.failed += d.retryingLost ?? 0;
      } else if (d.counts) {
        c.sent += d.counts.sent;
        if (d.counts.sent) noteProgress(c, Date.now());
        c.failed += d.counts.failed;
        c.pruned += d.counts.pruned;
        c.fenced += d.counts.fenced;
        c.skipped += d.counts.skipped;
        c.retrying = Math.max(0, c.retrying + d.counts.retrying);
      }
      if (d.firstPass) {
        // The planned page is passed once its every part reported or went to the dead letters.
        let whole: { dead: boolean } | null = { dead: !!d.dead };
        if (d.planned && d.planned.parts > 1) {
          const pk = k.parts(d, d.planned.pageKey);
          const rec = parts.get(pk) ?? (await this.storage.get<{ done: number; dead: boolean }>(pk)) ?? { done: 0, dead: false };
          const next = { done: rec.done + 1, dead: rec.dead || !!d.dead };
          parts.set(pk, next);
          whole = next.done >= d.planned.parts ? next : null;
        }
        if (whole?.dead) c.deadPages = (c.deadPages ?? 0) + 1;
        else if (whole) c.pagesDone++;
      }
      const finished = c.status === "running" && firstPassDone(c) && c.retrying === 0;
      if (finished) {
        c.status = "done";
        c.completedAt = new Date().toISOString();
      }
      // A finished sweep lets the pending one start, a retraction may be waiting for the last
      // content page in flight, and a finished fan-out goes to the audit trail.
      if (finished || (!before && firstPassDone(c)) || (c.event !== "stop" && (await this.stopWaiting(c.channel)))) wake = true;
      changed.set(id, c);
    }
    const rates = await this.addThroughput(deltas.filter((d) => applied[k.applied(d)]));
    const entries: Record<string, unknown> = { ...applied, ...Object.fromEntries(changed), ...Object.fromEntries(parts), ...rates };
    const all = Object.entries(entries);
    for (let i = 0; i < all.length; i += 128) await this.storage.put(Object.fromEntries(all.slice(i, i + 128)));
    for (const c of changed.values()) this.hooks.toScreens({ type: "fanout", counters: c });
    for (const [key, points] of Object.entries(rates)) this.hooks.toScreens({ type: "throughput", channel: key.slice("rate:".length), points: points.slice(-2) });
    if (wake) await this.hooks.wake();
  }
}
