// The alert's fan-out ledger, kept in the alert's Durable Object storage (one writer, so
// every check-and-mark below is atomic). It holds, per broadcast and channel: counters,
// the page plan, which pages are done or claimed; per channel: the composed message of
// each version, the newest published version, the running/pending content sweep, and
// for every recipient key the last content version it may have been sent ("lv"). The
// retraction goes to exactly the keys with lv > 0, whatever the versions' targeting was.
import type { BroadcastEvent } from "../channels/channel.ts";
import type { ChannelName } from "../channels/index.ts";
import type { Audience } from "../domain/index.ts";

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
/** A page claimed by a sender that has not asked for a lease for this long is presumed dead. */
export const CLAIM_STALE_MS = 30_000;
/** Recipient keys per bucket of the last-version map (8 KiB of Uint16 per bucket). */
const BUCKET = 4096;

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
  /** Since when a retraction waits for content pages still in flight. */
  waitingSince?: string;
  completedAt?: string;
  /** The outcome was appended to the audit trail. */
  audited?: boolean;
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

export interface PageReport extends PageRef {
  firstPass: boolean;
  counts: PageCounts;
  /** Keys that may have received content, with that version (content pages). */
  sent: [number, number][];
  /** Keys marked before sending that were not sent after all, with their previous version. */
  unsent: [number, number][];
}

export interface LedgerHooks {
  /** Tell the open dashboards. */
  /** A message to the screens watching the alert (its live WebSocket feed): not a broadcast. */
  toScreens(message: unknown): void;
  /** Ask the owner to run its reconciler soon (a fan-out finished, a retraction may start). */
  wake(): Promise<void>;
  /** The closing command in progress, if any: senders wait for its outcome. */
  closing(): Promise<unknown> | null;
}

const k = {
  counters: (id: string, ch: string) => `fanout:${id}:${ch}`,
  message: (ch: string, v: number | "stop") => `message:${ch}:${v}`,
  plan: (id: string, ch: string) => `plan:${id}:${ch}`,
  starts: (id: string, ch: string, i: number) => `starts:${id}:${ch}:${i}`,
  done: (r: Pick<PageRef, "fanoutId" | "channel" | "pageKey">) => `page:${r.fanoutId}:${r.channel}:${r.pageKey}`,
  claim: (r: Pick<PageRef, "fanoutId" | "channel" | "pageKey">) => `claim:${r.fanoutId}:${r.channel}:${r.pageKey}`,
  inflight: (r: Pick<PageRef, "fanoutId" | "channel" | "pageKey">) => `inflight:${r.channel}:${r.fanoutId}:${r.pageKey}`,
  /** Until when one page run may still send (its latest lease); gone once the run reports. */
  lease: (r: Pick<PageRef, "fanoutId" | "channel" | "pageKey" | "claim">) => `lease:${r.channel}:${r.fanoutId}:${r.pageKey}:${r.claim}`,
  marks: (r: Pick<PageRef, "fanoutId" | "channel" | "pageKey">) => `marks:${r.fanoutId}:${r.channel}:${r.pageKey}`,
  lv: (ch: string, bucket: number) => `lv:${ch}:${bucket}`,
  published: (ch: string) => `published:${ch}`,
  sweep: (ch: string) => `sweep:${ch}`,
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

export const firstPassDone = (c: FanoutCounters) => c.pagesDone + (c.deadPages ?? 0) >= c.pagesPlanned;

/** Groups numbers (or [key, value] pairs) by their bucket of the last-version map. */
function byBucket<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const item of items) {
    const b = Math.floor(key(item) / BUCKET);
    m.set(b, [...(m.get(b) ?? []), item]);
  }
  return m;
}

export class FanoutLedger {
  private readonly storage: DurableObjectStorage;
  private readonly hooks: LedgerHooks;
  /**
   * Every read-modify-write of the ledger runs alone. The object's input gate already
   * keeps storage-only sequences apart, but senders released together from a closing
   * command, and the planner awaiting D1 or a queue, would otherwise interleave.
   */
  private chain: Promise<unknown> = Promise.resolve();
  constructor(storage: DurableObjectStorage, hooks: LedgerHooks) {
    this.storage = storage;
    this.hooks = hooks;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
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
  message = (ch: string, v: number | "stop") => this.storage.get<StoredMessage>(k.message(ch, v));
  putMessage = (ch: string, m: StoredMessage) => this.storage.put(k.message(ch, m.event === "stop" ? "stop" : m.version), m);
  published = async (ch: string) => (await this.storage.get<number>(k.published(ch))) ?? 0;
  sweep = async (ch: string) => (await this.storage.get<Sweep>(k.sweep(ch))) ?? {};
  setSweep = (ch: string, s: Sweep) => this.storage.put(k.sweep(ch), s);

  async setPublished(ch: string, version: number): Promise<void> {
    if (version > (await this.published(ch))) await this.storage.put(k.published(ch), version);
  }

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

  /** Every recipient key that may have received content on the channel, ascending. */
  async contentKeys(ch: string): Promise<number[]> {
    const buckets = await this.storage.list<Uint16Array>({ prefix: `lv:${ch}:` });
    const out: number[] = [];
    const sorted = [...buckets].map(([key, v]) => [Number(key.slice(key.lastIndexOf(":") + 1)), v] as const).sort((a, b) => a[0] - b[0]);
    for (const [b, arr] of sorted) for (let i = 0; i < arr.length; i++) if (arr[i]! > 0) out.push(b * BUCKET + i);
    return out;
  }

  /** A retraction on the channel waits for the content pages in flight (the last report wakes the planner). */
  setStopWaiting = (ch: string, waiting: boolean) => (waiting ? this.storage.put(k.stopWaiting(ch), true) : this.storage.delete(k.stopWaiting(ch)));

  /** Content pages of the channel that asked for a lease and have not reported yet. */
  async contentInFlight(ch: string): Promise<number> {
    return (await this.storage.list({ prefix: `inflight:${ch}:` })).size;
  }

  async all(): Promise<FanoutCounters[]> {
    const m = await this.storage.list<FanoutCounters>({ prefix: "fanout:" });
    return [...m.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.channel.localeCompare(b.channel));
  }

  // ------------------------------------------------------------ the page protocol (RPC from senders)

  /** A page run starts: done already (a redelivery)? run by someone else now? Else its message and the recipients' last versions. */
  beginPage(ref: PageRef, sel: PageSel): Promise<PageStart> {
    return this.locked(() => this.beginPageNow(ref, sel));
  }

  private async beginPageNow(ref: PageRef, sel: PageSel): Promise<PageStart> {
    const [done, claim] = await Promise.all([this.storage.get<boolean>(k.done(ref)), this.storage.get<{ claim: string; at: number }>(k.claim(ref))]);
    if (done) return { status: "done" };
    if (claim && claim.claim !== ref.claim && Date.now() - claim.at < CLAIM_STALE_MS) return { status: "busy" };
    const message = ref.event === "stop" ? await this.message(ref.channel, "stop") : await this.message(ref.channel, await this.published(ref.channel));
    if (!message) return { status: "missing" };
    await this.storage.put(k.claim(ref), { claim: ref.claim, at: Date.now() });
    const uncertain = (await this.storage.get<number[]>(k.marks(ref))) ?? [];
    return { status: "go", message, lv: await this.lastVersions(ref.channel, sel), uncertain };
  }

  /** A page run failed before reporting: let the queue's retry take the page over at once. */
  releasePage(ref: PageRef): Promise<void> {
    return this.locked(async () => {
      const claim = await this.storage.get<{ claim: string }>(k.claim(ref));
      if (claim?.claim === ref.claim) await this.storage.delete(k.claim(ref));
    });
  }

  /**
   * The stop fence, before sends: may content still go out? Marks `keys` (the sends this
   * lease covers) with the newest version first, in the same storage turn as the check,
   * so a retraction planned afterwards always includes them. While a closing command is
   * in progress a sender is told so at once (`closing`); once it has drained (nothing in
   * flight, nothing started) it asks again with `drained`, no longer holds the command
   * back, and waits for its outcome. Retractions always pass.
   */
  async gate(ref: PageRef, keys: number[], senderVersion: number, leaseMs: number, fenceOpen: () => Promise<boolean>, drained = false): Promise<GateAnswer> {
    if (ref.event === "stop") return { open: true, version: 0 };
    for (;;) {
      if (this.hooks.closing()) {
        if (!drained) return { open: false, closing: true, version: await this.published(ref.channel) };
        await this.locked(() => this.storage.delete(k.lease(ref)));
        for (let closing = this.hooks.closing(); closing; closing = this.hooks.closing()) await closing.catch(() => undefined);
      }
      // null: a closing command began meanwhile (its outcome is not known yet): as above.
      const answer = await this.locked(() => this.gateNow(ref, keys, senderVersion, leaseMs, fenceOpen));
      if (answer) return answer;
    }
  }

  private async gateNow(ref: PageRef, keys: number[], senderVersion: number, leaseMs: number, fenceOpen: () => Promise<boolean>): Promise<GateAnswer | null> {
    const version = await this.published(ref.channel);
    if (!(await fenceOpen())) return this.hooks.closing() ? null : { open: false, version };
    const claim = await this.storage.get<{ claim: string }>(k.claim(ref));
    if (claim && claim.claim !== ref.claim) return { open: false, version }; // another run took the page over
    await this.markVersions(ref.channel, keys.map((key) => [key, version]));
    const marks = keys.length ? [...((await this.storage.get<number[]>(k.marks(ref))) ?? []), ...keys] : null;
    const until = Date.now() + Math.min(MAX_LEASE_MS, Math.max(SEND_LEASE_MS, leaseMs));
    await this.storage.put({
      [k.inflight(ref)]: Date.now(),
      [k.claim(ref)]: { claim: ref.claim, at: Date.now() },
      [k.lease(ref)]: until,
      ...(marks ? { [k.marks(ref)]: marks } : {}),
    });
    const answer: GateAnswer = { open: true, version };
    if (version !== senderVersion) answer.message = await this.message(ref.channel, version);
    return answer;
  }

  /** Records a page once (a redelivered report changes nothing) and adds its counts. */
  reportPage(r: PageReport): Promise<void> {
    return this.locked(() => this.reportPageNow(r));
  }

  /**
   * Page runs that may still be sending content: those holding a lease that have neither
   * reported nor drained, unless their lease ran out more than DRAIN_GRACE_MS ago (a dead
   * run). A closing command commits once there are none.
   */
  sendersLeft(now = Date.now()): Promise<number> {
    return this.locked(async () => [...(await this.storage.list<number>({ prefix: "lease:" })).values()].filter((until) => until + DRAIN_GRACE_MS > now).length);
  }

  private async reportPageNow(r: PageReport): Promise<void> {
    // This run sends nothing more: its lease no longer holds a stop back.
    await this.storage.delete(k.lease(r));
    if (await this.storage.get<boolean>(k.done(r))) return;
    const c = await this.counters(r.fanoutId, r.channel);
    if (!c) return;
    if (r.event !== "stop") {
      await this.markVersions(r.channel, r.unsent);
      await this.markVersions(r.channel, r.sent);
    }
    c.sent += r.counts.sent;
    c.failed += r.counts.failed;
    c.pruned += r.counts.pruned;
    c.fenced += r.counts.fenced;
    c.skipped += r.counts.skipped;
    c.retrying = Math.max(0, c.retrying + r.counts.retrying);
    const before = firstPassDone(c);
    if (r.firstPass) c.pagesDone++;
    await this.settlePage(r, c, before);
  }

  /** A page job reached the dead-letter queue: it counts as finished, with its loss shown. */
  pageDead(ref: Omit<PageRef, "claim">, firstPass: boolean, retryingLost: number): Promise<void> {
    return this.locked(() => this.pageDeadNow(ref, firstPass, retryingLost));
  }

  private async pageDeadNow(ref: Omit<PageRef, "claim">, firstPass: boolean, retryingLost: number): Promise<void> {
    if (await this.storage.get<boolean>(k.done(ref))) return;
    const c = await this.counters(ref.fanoutId, ref.channel);
    if (!c) return;
    const before = firstPassDone(c);
    c.deadPages = (c.deadPages ?? 0) + (firstPass ? 1 : 0);
    c.retrying = Math.max(0, c.retrying - retryingLost);
    c.failed += retryingLost;
    await this.settlePage(ref, c, before);
  }

  private async settlePage(ref: Pick<PageRef, "fanoutId" | "channel" | "pageKey">, c: FanoutCounters, wasPassed: boolean): Promise<void> {
    const finished = c.status === "running" && firstPassDone(c) && c.retrying === 0;
    if (finished) {
      c.status = "done";
      c.completedAt = new Date().toISOString();
    }
    await this.storage.put({ [k.done(ref)]: true, [k.counters(c.fanoutId, c.channel)]: c });
    await this.storage.delete([k.claim(ref), k.inflight(ref), k.marks(ref)]);
    this.hooks.toScreens({ type: "fanout", counters: c });
    // A finished sweep lets the pending one start, a retraction may be waiting for the last
    // content page in flight, and a finished fan-out goes to the audit trail.
    const retractionWaits = c.event !== "stop" && (await this.storage.get<boolean>(k.stopWaiting(c.channel))) === true;
    if (finished || (!wasPassed && firstPassDone(c)) || (retractionWaits && (await this.contentInFlight(c.channel)) === 0)) await this.hooks.wake();
  }

  // ------------------------------------------------------------ last version per recipient

  private async lastVersions(ch: string, sel: PageSel): Promise<[number, number][]> {
    const out: [number, number][] = [];
    if ("keys" in sel) {
      for (const [b, keys] of byBucket(sel.keys, (key) => key)) {
        const arr = await this.storage.get<Uint16Array>(k.lv(ch, b));
        if (arr) for (const key of keys) if (arr[key % BUCKET]) out.push([key, arr[key % BUCKET]!]);
      }
      return out;
    }
    for (let b = Math.floor(sel.from / BUCKET); b <= Math.floor((sel.to - 1) / BUCKET); b++) {
      const arr = await this.storage.get<Uint16Array>(k.lv(ch, b));
      if (!arr) continue;
      const lo = Math.max(sel.from, b * BUCKET);
      const hi = Math.min(sel.to, (b + 1) * BUCKET);
      for (let key = lo; key < hi; key++) if (arr[key % BUCKET]) out.push([key, arr[key % BUCKET]!]);
    }
    return out;
  }

  private async markVersions(ch: string, entries: [number, number][]): Promise<void> {
    if (!entries.length) return;
    const puts: Record<string, Uint16Array> = {};
    for (const [b, list] of byBucket(entries, ([key]) => key)) {
      const arr = (await this.storage.get<Uint16Array>(k.lv(ch, b))) ?? new Uint16Array(BUCKET);
      for (const [key, v] of list) arr[key % BUCKET] = v;
      puts[k.lv(ch, b)] = arr;
    }
    await this.storage.put(puts);
  }
}
