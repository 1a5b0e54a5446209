// Where a page's protocol runs: the ledger is sharded per channel and key span, so one
// national alert's pages spread over many Durable Objects (each takes about 1,000
// requests/s: Cloudflare's documented soft limit). A recipient key always belongs to the
// same shard — span ⌊key / span⌋ modulo the channel's shard count — so its last version
// is in one place whatever page or version carries it; a page that crosses a span
// boundary runs as one part per span. The alert's object reaches its shards through ShardApi.
import type { Channel } from "../channels/channel.ts";
import { CHANNELS, type ChannelName, channelOf } from "../channels/index.ts";
import { spanKeys } from "../config.ts";
import type { GateAnswer, PageDelta, PageRef, PageReport, PageSel, PageStart, PlannedPage, StoredMessage } from "./ledger.ts";

export const shardCount = (channel: Pick<Channel, "limits">) => channel.limits.ledgerShards ?? 1;

/** One shard, as the senders, the planner and the stop see it. */
export interface ShardApi {
  beginPage(ref: PageRef, sel: PageSel): Promise<PageStart>;
  gate(ref: PageRef, keys: number[], senderVersion: number, leaseMs: number, drained?: boolean): Promise<GateAnswer>;
  reportPage(report: PageReport): Promise<void>;
  releasePage(ref: PageRef): Promise<void>;
  pageDead(ref: Omit<PageRef, "claim">, firstPass: boolean, retryingLost: number, planned?: PlannedPage): Promise<void>;
  /** The planner hands every shard a version's message (content: it becomes the one to send). */
  publish(channel: ChannelName, message: StoredMessage): Promise<void>;
  contentKeys(channel: ChannelName): Promise<number[]>;
  contentInFlight(channel: ChannelName): Promise<number>;
  /** A closing command (stop, expiry) begins: senders are told; resolves once this shard's have drained (ms waited). */
  close(alertId: string): Promise<number>;
  /** The closing command's outcome: committed (the fence stays closed) or not (it reopens). */
  settle(committed: boolean): Promise<void>;
  dropMessages(): Promise<void>;
}

/** What a shard needs of the alert's object (reached by id, never by its class). */
export interface AlertLedgerApi {
  applyPages(deltas: PageDelta[]): Promise<void>;
  fenceOpen(): Promise<boolean>;
}

export function shardStub(env: Env, alertId: string, channel: ChannelName, index: number): ShardApi {
  return env.LEDGER.get(env.LEDGER.idFromName(`${alertId}/${channel}/${index}`)) as unknown as ShardApi;
}

/** The job runs whole (its pageKey is the job's own) rather than as parts (each its own pageKey, counted towards the planned page). */
export const runsWhole = (job: { from: number; to: number }, parts: { from: number; to: number }[]) =>
  parts.length === 1 && parts[0]!.from === job.from && parts[0]!.to === job.to;

/** A page job's parts, each with the shard that runs it. */
export function pageShards(env: Env, job: { alertId: string; channel: ChannelName; from: number; to: number; keys?: number[] }): (PagePart & { ledger: ShardApi })[] {
  return partsOf(job, spanKeys(env), shardCount(channelOf(job.channel))).map((p) => ({ ...p, ledger: shardStub(env, job.alertId, job.channel, p.shard) }));
}

export function channelShards(env: Env, alertId: string, channel: ChannelName): ShardApi[] {
  return Array.from({ length: shardCount(channelOf(channel)) }, (_, i) => shardStub(env, alertId, channel, i));
}

/** Every shard of every channel of the alert (the stop fence closes them all). */
export function allShards(env: Env, alertId: string): ShardApi[] {
  return (CHANNELS as readonly Channel[]).flatMap((c) => channelShards(env, alertId, c.name as ChannelName));
}

export function alertLedger(env: Env, alertId: string): AlertLedgerApi {
  return env.ALERT.get(env.ALERT.idFromName(alertId)) as unknown as AlertLedgerApi;
}

/** A part of a page job that lies within one key span, and the shard that runs it. */
export interface PagePart {
  from: number;
  to: number;
  keys?: number[];
  shard: number;
}

/**
 * The parts of a page job, one per key span it crosses (pages are planned dense over the
 * live recipients, whatever the spans; with production spans of 4,096 keys most pages lie
 * in one). A channel with one shard runs every page whole.
 */
export function partsOf(job: { from: number; to: number; keys?: number[] }, span: number, shards: number): PagePart[] {
  if (shards <= 1) return [{ from: job.from, to: job.to, ...(job.keys ? { keys: job.keys } : {}), shard: 0 }];
  const parts: PagePart[] = [];
  for (let b = Math.floor(job.from / span); b <= Math.floor((job.to - 1) / span); b++) {
    const from = Math.max(job.from, b * span);
    const to = Math.min(job.to, (b + 1) * span);
    const keys = job.keys?.filter((key) => key >= from && key < to);
    if (keys && !keys.length) continue;
    parts.push({ from, to, ...(keys ? { keys } : {}), shard: b % shards });
  }
  return parts;
}

/** Page starts over sorted keys: `pageSize` keys a page (the retraction's pages). */
export function startsOver(keys: number[], pageSize: number): { starts: number[]; end: number } {
  return { starts: keys.filter((_, i) => i % pageSize === 0), end: (keys.at(-1) ?? 0) + 1 };
}
