// One shard of an alert's fan-out ledger: a Durable Object per alert, channel and shard
// index (fanout/shards.ts). Senders of the pages in its key spans talk to it — begin,
// the stop fence's leases, report — so a national alert's pages spread over many objects
// instead of queueing at the alert's one. What its pages counted goes back to the alert's
// object, coalesced (one call in flight per shard carries every report waiting; an alarm
// as the backstop: nothing is lost if the alert's object is busy or restarting). The stop closes every shard's fence
// and waits until each one's senders have drained.
import { DurableObject } from "cloudflare:workers";
import { log } from "../log.ts";
import { DRAIN_GRACE_MS, MAX_LEASE_MS, type PageDelta, type PageRef, type PageReport, type PageSel, type PlannedPage, type StoredMessage } from "./ledger.ts";
import { PageBook } from "./page-book.ts";
import { alertLedger, type ShardApi } from "./shards.ts";
import type { ChannelName } from "../channels/index.ts";

/** Page counts waiting to reach the alert's object. */
const FWD = "fwd:";
const FENCE_CLOSED = "fence:closed";
/** A closing command that has not said how it ended after this long: ask the alert's object. */
const CLOSING_MAX_MS = 60_000;
/** Forwarding failed: try again this soon (then by the alarm, backing off). */
const FORWARD_RETRY_MS = 1_000;

export class LedgerShard extends DurableObject<Env> implements ShardApi {
  private closingCommand: Promise<void> | null = null;
  private release = () => {};
  private readonly book = new PageBook(this.ctx.storage, {
    closing: () => this.closingCommand,
    fenceOpen: async () => (await this.ctx.storage.get<boolean>(FENCE_CLOSED)) !== true,
  });

  private async remember(alertId: string) {
    if ((await this.ctx.storage.get<string>("alertId")) !== alertId) await this.ctx.storage.put("alertId", alertId);
  }

  async beginPage(ref: PageRef, sel: PageSel) {
    await this.remember(ref.alertId);
    return this.book.beginPage(ref, sel);
  }

  gate(ref: PageRef, keys: number[], senderVersion: number, leaseMs: number, drained?: boolean) {
    return this.book.gate(ref, keys, senderVersion, leaseMs, drained);
  }

  releasePage(ref: PageRef) {
    return this.book.releasePage(ref);
  }

  async reportPage(report: PageReport): Promise<void> {
    const delta = await this.book.reportPage(report);
    if (delta) await this.forward(report.alertId, delta);
  }

  async pageDead(ref: Omit<PageRef, "claim">, firstPass: boolean, retryingLost: number, planned?: PlannedPage): Promise<void> {
    const delta = await this.book.pageDead(ref, firstPass, retryingLost, planned);
    if (delta) await this.forward(ref.alertId, delta);
  }

  publish(channel: ChannelName, message: StoredMessage) {
    return this.book.publish(channel, message);
  }

  contentKeys(channel: ChannelName) {
    return this.book.contentKeys(channel);
  }

  contentInFlight(channel: ChannelName) {
    return this.book.contentInFlight(channel);
  }

  dropMessages() {
    return this.book.dropMessages();
  }

  // ------------------------------------------------------------ the stop fence

  /**
   * A closing command begins: every sender asking for a lease is told so; every page run
   * holding one comes back when it runs out, lets its sends in flight get their answers
   * and says so (or reports). Resolves once none is left — a run that never comes back
   * (its consumer died) is waited for until DRAIN_GRACE_MS after its lease.
   */
  async close(alertId: string): Promise<number> {
    await this.remember(alertId);
    const t0 = Date.now();
    if (!this.closingCommand) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.closingCommand = new Promise<void>((r) => {
        this.release = () => {
          clearTimeout(timer);
          r();
        };
      });
      // The alert's object always says how the command ended; if it never does (it was
      // restarted mid-command), ask it whether the fence is open after a while.
      timer = setTimeout(() => void this.askFence(), CLOSING_MAX_MS);
    }
    await this.ctx.storage.put(FENCE_CLOSED, true);
    const limit = t0 + MAX_LEASE_MS + DRAIN_GRACE_MS;
    for (let left = await this.book.sendersLeft(); left > 0 && Date.now() < limit; left = await this.book.sendersLeft()) {
      await new Promise((r) => setTimeout(r, 20));
    }
    return Date.now() - t0;
  }

  /** The outcome is authoritative: a shard that missed close() (unreachable then) ends closed all the same. */
  async settle(committed: boolean): Promise<void> {
    if (committed) await this.ctx.storage.put(FENCE_CLOSED, true);
    else await this.ctx.storage.delete(FENCE_CLOSED);
    this.closingCommand = null;
    this.release();
  }

  private async askFence(): Promise<void> {
    const alertId = await this.ctx.storage.get<string>("alertId");
    const open = alertId ? await alertLedger(this.env, alertId).fenceOpen().catch(() => false) : false;
    log.warn("ledger_shard_closing_unsettled", { alertId, reopened: open });
    await this.settle(!open);
  }

  // ------------------------------------------------------------ counts back to the alert

  private dirty = false;
  private flushing: Promise<void> | null = null;

  private async forward(alertId: string, delta: PageDelta): Promise<void> {
    await this.remember(alertId);
    const key = `${FWD}${delta.fanoutId}:${delta.channel}:${delta.pageKey}`;
    await this.ctx.storage.put(key, delta);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 5 * FORWARD_RETRY_MS);
    // The report returns once its counts are with the alert's object (or kept for the alarm
    // when it cannot be reached): reports arriving meanwhile share one hand-over in flight.
    this.dirty = true;
    for (let i = 0; i < 3 && (await this.ctx.storage.get(key)) !== undefined; i++) await this.flush();
  }

  private flush(): Promise<void> {
    return (this.flushing ??= (async () => {
      try {
        while (this.dirty) {
          this.dirty = false;
          const alertId = await this.ctx.storage.get<string>("alertId");
          const waiting = await this.ctx.storage.list<PageDelta>({ prefix: FWD, limit: 500 });
          if (!alertId || !waiting.size) break;
          await alertLedger(this.env, alertId).applyPages([...waiting.values()]);
          await this.ctx.storage.delete([...waiting.keys()]);
          if (waiting.size === 500) this.dirty = true;
        }
        if ((await this.ctx.storage.list({ prefix: FWD, limit: 1 })).size === 0) await this.ctx.storage.deleteAlarm();
      } catch (err) {
        this.dirty = false; // the alarm tries again
        log.warn("ledger_shard_forward_failed", { error: err });
        await this.ctx.storage.setAlarm(Date.now() + FORWARD_RETRY_MS);
      } finally {
        this.flushing = null;
        // A page reported while the last hand-over was finishing goes now, not at the alarm.
        if (this.dirty) this.ctx.waitUntil(this.flush());
      }
    })());
  }

  override async alarm(): Promise<void> {
    this.dirty = true;
    await this.flush();
  }
}
