// The stop fence's two sides in the ledger, on a real Durable Object's storage: what a
// sender is told while a closing command is being committed, and which senders that
// command still waits for. (The contract suite proves the whole of it end to end.)
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { alertStub } from "../alert/api.ts";
import type { AlertObject } from "../alert/object.ts";
import { DRAIN_GRACE_MS, FanoutLedger, type PageRef, SEND_LEASE_MS } from "./ledger.ts";

/** A ledger on a fresh object's storage, with a closing command the test starts and ends. */
function withLedger<T>(fn: (l: FanoutLedger, closing: Closing, storage: DurableObjectStorage) => Promise<T>): Promise<T> {
  return runInDurableObject(alertStub(env, crypto.randomUUID()), async (_o: AlertObject, state) => {
    const closing = new Closing();
    const ledger = new FanoutLedger(state.storage, { toScreens: () => undefined, wake: async () => undefined, closing: () => closing.command });
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

const ref = (pageKey: string): PageRef => ({ fanoutId: "f1", channel: "push", event: "alert", pageKey, claim: crypto.randomUUID() });
const settledIn = async <T>(p: Promise<T>, ms: number) => Promise.race([p.then((v) => ({ v })), new Promise<null>((r) => setTimeout(() => r(null), ms))]);

describe("the stop fence in the ledger", () => {
  it("while a closing command is committed, a sender is told 'closing' at once; drained, it stops holding the command back and waits for its outcome", () =>
    withLedger(async (ledger, closing) => {
      const a = ref("0");
      expect(await ledger.gate(a, [1, 2], 0, SEND_LEASE_MS, closing.fenceOpen)).toMatchObject({ open: true });
      expect(await ledger.sendersLeft()).toBe(1);

      closing.begin();
      const told = await ledger.gate(a, [3], 0, SEND_LEASE_MS, closing.fenceOpen);
      expect(told).toMatchObject({ open: false, closing: true });
      expect(await ledger.sendersLeft()).toBe(1); // not drained yet: the command still waits for it

      const drained = ledger.gate(a, [3], 0, SEND_LEASE_MS, closing.fenceOpen, true);
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
      await ledger.gate(a, [1], 0, SEND_LEASE_MS, closing.fenceOpen);
      closing.begin();
      const drained = ledger.gate(a, [2], 0, SEND_LEASE_MS, closing.fenceOpen, true);
      closing.finish(true);
      const answer = await drained;
      expect(answer.open).toBe(false);
      expect(answer.closing).toBeUndefined();
    }));

  it("a fence found closed while the command's outcome is unknown is 'closing', not a refusal", () =>
    withLedger(async (ledger, closing) => {
      // The command begins while this sender's check is running (after gate's first look).
      const answer = await ledger.gate(ref("0"), [1], 0, SEND_LEASE_MS, async () => {
        if (!closing.command) closing.begin();
        return closing.fenceOpen();
      });
      expect(answer).toMatchObject({ open: false, closing: true });
    }));

  it("senders left: a run that reported holds nothing back; one whose lease ran out more than the grace ago is presumed dead", () =>
    withLedger(async (ledger, closing, storage) => {
      const live = ref("0");
      const reported = ref("1");
      await ledger.gate(live, [1], 0, SEND_LEASE_MS, closing.fenceOpen);
      await ledger.gate(reported, [2], 0, SEND_LEASE_MS, closing.fenceOpen);
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
