// The stop fence's two sides in a ledger shard's book, on a real Durable Object's storage: what a
// sender is told while a closing command is being committed, and which senders that
// command still waits for. (The contract suite proves the whole of it end to end.)
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DRAIN_GRACE_MS, type PageRef, SEND_LEASE_MS } from "./ledger.ts";
import { PageBook } from "./page-book.ts";
import { partsOf, runsWhole, shardStub } from "./shards.ts";

/** A ledger on a fresh object's storage, with a closing command the test starts and ends. */
function withLedger<T>(fn: (l: PageBook, closing: Closing, storage: DurableObjectStorage) => Promise<T>): Promise<T> {
  return runInDurableObject(shardStub(env, crypto.randomUUID(), "push", 0) as unknown as DurableObjectStub, async (_o, state) => {
    const closing = new Closing();
    const ledger = new PageBook(state.storage, { closing: () => closing.command, fenceOpen: () => closing.fenceOpen() });
    return fn(ledger, closing, state.storage);
  });
}

class Closing {
  command: Promise<void> | null = null;
  fenceClosed = false;
  private end = () => {};
  begin() {
    this.fenceClosed = true;
    this.command = new Promise((r) => (this.end = r));
  }
  /** The command committed (the fence stays closed) or failed (it reopens). */
  finish(committed: boolean) {
    this.fenceClosed = committed;
    this.command = null;
    this.end();
  }
  fenceOpen = async () => !this.fenceClosed;
}

const ref = (pageKey: string): PageRef => ({ alertId: "a1", fanoutId: "f1", channel: "push", event: "alert", pageKey, claim: crypto.randomUUID() });
const settledIn = async <T>(p: Promise<T>, ms: number) => Promise.race([p.then((v) => ({ v })), new Promise<null>((r) => setTimeout(() => r(null), ms))]);

describe("the stop fence in the ledger", () => {
  it("while a closing command is committed, a sender is told 'closing' at once; drained, it stops holding the command back and waits for its outcome", () =>
    withLedger(async (ledger, closing) => {
      const a = ref("0");
      expect(await ledger.gate(a, [1, 2], 0, SEND_LEASE_MS)).toMatchObject({ open: true });
      expect(await ledger.sendersLeft()).toBe(1);

      closing.begin();
      const told = await ledger.gate(a, [3], 0, SEND_LEASE_MS);
      expect(told).toMatchObject({ open: false, closing: true });
      expect(await ledger.sendersLeft()).toBe(1); // not drained yet: the command still waits for it

      const drained = ledger.gate(a, [3], 0, SEND_LEASE_MS, true);
      expect(await settledIn(drained, 100)).toBeNull(); // waits for the outcome…
      expect(await ledger.sendersLeft()).toBe(0); // …and holds the command back no longer

      // The command failed: the fence reopens and the drained sender gets a new lease.
      closing.finish(false);
      expect(await drained).toMatchObject({ open: true });
      expect(await ledger.sendersLeft()).toBe(1);
    }));

  it("a committed stop: the drained sender is refused for good", () =>
    withLedger(async (ledger, closing) => {
      const a = ref("0");
      await ledger.gate(a, [1], 0, SEND_LEASE_MS);
      closing.begin();
      const drained = ledger.gate(a, [2], 0, SEND_LEASE_MS, true);
      closing.finish(true);
      const answer = await drained;
      expect(answer.open).toBe(false);
      expect(answer.closing).toBeUndefined();
    }));

  it("a fence found closed while the command's outcome is unknown is 'closing', not a refusal", () =>
    withLedger(async (ledger, closing) => {
      // The command begins while this sender's check is running (after gate's first look).
      const open = closing.fenceOpen;
      closing.fenceOpen = async () => {
        if (!closing.command) closing.begin();
        return open();
      };
      const answer = await ledger.gate(ref("0"), [1], 0, SEND_LEASE_MS);
      expect(answer).toMatchObject({ open: false, closing: true });
    }));

  it("senders left: a run that reported holds nothing back; one whose lease ran out more than the grace ago is presumed dead", () =>
    withLedger(async (ledger, closing, storage) => {
      const live = ref("0");
      const reported = ref("1");
      await ledger.gate(live, [1], 0, SEND_LEASE_MS);
      await ledger.gate(reported, [2], 0, SEND_LEASE_MS);
      expect(await ledger.sendersLeft()).toBe(2);
      await ledger.reportPage({ ...reported, firstPass: true, counts: { sent: 1, failed: 0, pruned: 0, retrying: 0, fenced: 0, skipped: 0 }, sent: [[2, 1]], unsent: [] });
      expect(await ledger.sendersLeft()).toBe(1);
      // The live run's lease ran out a moment ago: it may still have a send in flight.
      const [key] = [...(await storage.list<number>({ prefix: "lease:" })).keys()];
      await storage.put(key!, Date.now() - 10);
      expect(await ledger.sendersLeft()).toBe(1);
      // …and long enough ago that its consumer must have died.
      expect(await ledger.sendersLeft(Date.now() + DRAIN_GRACE_MS)).toBe(0);
    }));
});

describe("the ledger's shards: a recipient key always belongs to one shard", () => {
  const span = 512;
  const shardOfKey = (key: number, shards: number) => Math.floor(key / span) % shards;

  it("a page within one span runs whole on its key's shard; one crossing spans runs in parts, each on its keys' shard", () => {
    expect(partsOf({ from: 600, to: 850 }, span, 16)).toEqual([{ from: 600, to: 850, shard: 1 }]);
    const parts = partsOf({ from: 900, to: 2100 }, span, 3);
    expect(parts.map((p) => [p.from, p.to])).toEqual([[900, 1024], [1024, 1536], [1536, 2048], [2048, 2100]]);
    // Every key of every part is on the shard its span gives, whichever page carries it.
    for (const p of parts) for (let key = p.from; key < p.to; key++) expect(p.shard).toBe(shardOfKey(key, 3));
    expect(runsWhole({ from: 900, to: 2100 }, parts)).toBe(false);
  });

  it("a retry's keys go to their own spans' parts; a channel with one shard runs every page whole", () => {
    const parts = partsOf({ from: 0, to: 2000, keys: [5, 700, 1900] }, span, 4);
    expect(parts).toEqual([
      { from: 0, to: 512, keys: [5], shard: 0 },
      { from: 512, to: 1024, keys: [700], shard: 1 },
      { from: 1536, to: 2000, keys: [1900], shard: 3 },
    ]);
    expect(partsOf({ from: 0, to: 100_000 }, span, 1)).toEqual([{ from: 0, to: 100_000, shard: 0 }]);
  });
});
