// One ledger shard's book (worker/fanout/shard-object.ts keeps it in its Durable Object
// storage; one writer, so every check-and-mark below is atomic). A shard holds, for the
// recipient keys of its spans on one channel: which pages are done, claimed, leased; the
// composed message of each version and the newest published one (copies the alert's
// planner hands every shard); and for every key the last content version it may have
// been sent ("lv"). The retraction goes to exactly the keys with lv > 0. What a page
// counted goes back to the alert's object (FanoutLedger.applyPages), which sums them.
import {
  BUCKET,
  DRAIN_GRACE_MS,
  type GateAnswer,
  MAX_LEASE_MS,
  type PageDelta,
  type PageRef,
  type PageReport,
  type PageSel,
  type PageStart,
  type PlannedPage,
  SEND_LEASE_MS,
  type StoredMessage,
} from "./ledger.ts";
import { Serial } from "../serial.ts";

/** A page claimed by a sender that has not asked for a lease for this long is presumed dead. */
export const CLAIM_STALE_MS = 30_000;

export interface FenceHooks {
  /** The closing command in progress, if any: senders wait for its outcome. */
  closing(): Promise<unknown> | null;
  /** May content still go out (no stop or expiry has closed the fence)? */
  fenceOpen(): Promise<boolean>;
}

type PageId = Pick<PageRef, "fanoutId" | "channel" | "pageKey">;
const k = {
  message: (ch: string, v: number | "stop") => `message:${ch}:${v}`,
  done: (r: PageId) => `page:${r.fanoutId}:${r.channel}:${r.pageKey}`,
  claim: (r: PageId) => `claim:${r.fanoutId}:${r.channel}:${r.pageKey}`,
  inflight: (r: PageId) => `inflight:${r.channel}:${r.fanoutId}:${r.pageKey}`,
  /** Until when one page run may still send (its latest lease); gone once the run reports. */
  lease: (r: PageId & Pick<PageRef, "claim">) => `lease:${r.channel}:${r.fanoutId}:${r.pageKey}:${r.claim}`,
  marks: (r: PageId) => `marks:${r.fanoutId}:${r.channel}:${r.pageKey}`,
  lv: (ch: string, bucket: number) => `lv:${ch}:${bucket}`,
  published: (ch: string) => `published:${ch}`,
};

/** Groups numbers (or [key, value] pairs) by their bucket of the last-version map. */
function byBucket<T>(items: T[], key: (item: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const item of items) {
    const b = Math.floor(key(item) / BUCKET);
    const list = m.get(b);
    if (list) list.push(item);
    else m.set(b, [item]);
  }
  return m;
}

export class PageBook {
  private readonly storage: DurableObjectStorage;
  private readonly hooks: FenceHooks;
  /**
   * Every read-modify-write runs alone. The object's input gate already keeps storage-only
   * sequences apart, but senders released together from a closing command would otherwise
   * interleave.
   */
  private readonly serial = new Serial();
  constructor(storage: DurableObjectStorage, hooks: FenceHooks) {
    this.storage = storage;
    this.hooks = hooks;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial.run(fn);
  }

  // ------------------------------------------------------------ from the planner

  message = (ch: string, v: number | "stop") => this.storage.get<StoredMessage>(k.message(ch, v));
  published = async (ch: string) => (await this.storage.get<number>(k.published(ch))) ?? 0;

  /** A version's message (and, for content, that it is now the one to send), in one write. */
  publish(ch: string, m: StoredMessage): Promise<void> {
    return this.locked(async () => {
      const entries: Record<string, unknown> = { [k.message(ch, m.event === "stop" ? "stop" : m.version)]: m };
      if (m.event !== "stop" && m.version > (await this.published(ch))) entries[k.published(ch)] = m.version;
      await this.storage.put(entries);
    });
  }

  /** The purge: the prepared messages carry the child's name and description. */
  async dropMessages(): Promise<void> {
    const keys = [...(await this.storage.list({ prefix: "message:" })).keys()];
    for (let i = 0; i < keys.length; i += 128) await this.storage.delete(keys.slice(i, i + 128));
  }

  /** Every recipient key of this shard that may have received content on the channel, ascending. */
  async contentKeys(ch: string): Promise<number[]> {
    const buckets = await this.storage.list<Uint16Array>({ prefix: `lv:${ch}:` });
    const out: number[] = [];
    const sorted = [...buckets].map(([key, v]) => [Number(key.slice(key.lastIndexOf(":") + 1)), v] as const).sort((a, b) => a[0] - b[0]);
    for (const [b, arr] of sorted) for (let i = 0; i < arr.length; i++) if (arr[i]! > 0) out.push(b * BUCKET + i);
    return out;
  }

  /** Content pages of the channel that asked for a lease and have not reported yet. */
  async contentInFlight(ch: string): Promise<number> {
    return (await this.storage.list({ prefix: `inflight:${ch}:` })).size;
  }

  /**
   * Page runs that may still be sending content: those holding a lease that have neither
   * reported nor drained, unless their lease ran out more than DRAIN_GRACE_MS ago (a dead
   * run). A closing command commits once there are none, in every shard.
   */
  sendersLeft(now = Date.now()): Promise<number> {
    return this.locked(async () => [...(await this.storage.list<number>({ prefix: "lease:" })).values()].filter((until) => until + DRAIN_GRACE_MS > now).length);
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
  async gate(ref: PageRef, keys: number[], senderVersion: number, leaseMs: number, drained = false): Promise<GateAnswer> {
    if (ref.event === "stop") return { open: true, version: 0 };
    for (;;) {
      if (this.hooks.closing()) {
        if (!drained) return { open: false, closing: true, version: await this.published(ref.channel) };
        await this.locked(() => this.storage.delete(k.lease(ref)));
        for (let closing = this.hooks.closing(); closing; closing = this.hooks.closing()) await closing.catch(() => undefined);
      }
      // null: a closing command began meanwhile (its outcome is not known yet): as above.
      const answer = await this.locked(() => this.gateNow(ref, keys, senderVersion, leaseMs));
      if (answer) return answer;
    }
  }

  private async gateNow(ref: PageRef, keys: number[], senderVersion: number, leaseMs: number): Promise<GateAnswer | null> {
    const version = await this.published(ref.channel);
    if (!(await this.hooks.fenceOpen())) return this.hooks.closing() ? null : { open: false, version };
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

  /** Records a page once (a redelivered report changes nothing): what it counted, for the alert's counters; null if recorded before. */
  reportPage(r: PageReport): Promise<PageDelta | null> {
    return this.locked(async () => {
      // This run sends nothing more: its lease no longer holds a stop back.
      await this.storage.delete(k.lease(r));
      if (await this.storage.get<boolean>(k.done(r))) return null;
      if (r.event !== "stop") {
        await this.markVersions(r.channel, r.unsent);
        await this.markVersions(r.channel, r.sent);
      }
      await this.settle(r);
      return { fanoutId: r.fanoutId, channel: r.channel, pageKey: r.pageKey, event: r.event, firstPass: r.firstPass, counts: r.counts, ...(r.planned ? { planned: r.planned } : {}) };
    });
  }

  /** A page job reached the dead-letter queue: it counts as finished, with its loss shown. */
  pageDead(ref: Omit<PageRef, "claim">, firstPass: boolean, retryingLost: number, planned?: PlannedPage): Promise<PageDelta | null> {
    return this.locked(async () => {
      if (await this.storage.get<boolean>(k.done(ref))) return null;
      await this.settle(ref);
      return { fanoutId: ref.fanoutId, channel: ref.channel, pageKey: ref.pageKey, event: ref.event, firstPass, dead: true, retryingLost, ...(planned ? { planned } : {}) };
    });
  }

  private async settle(ref: PageId): Promise<void> {
    await this.storage.put(k.done(ref), true);
    await this.storage.delete([k.claim(ref), k.inflight(ref), k.marks(ref)]);
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
