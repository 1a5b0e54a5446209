// The channel seam. A channel is one folder under worker/channels/ that says how to turn
// a broadcast into its message (pure), who its recipients are (cheap to page a million),
// and how one delivery goes (sent / gone / failed / retry). Everything else — planning,
// the stop fence, leases, retries, counters, retractions, the outbox — is the fan-out
// engine's (worker/fanout/), the same for every channel.
import type { AlertContent, AlertKind, Language, OptIns } from "../domain/index.ts";

/** What a broadcast announces: the alert, a published update (or a new end time), or the retraction. */
export { BROADCAST_EVENTS, type BroadcastEvent } from "../domain/broadcast.ts";
import type { BroadcastEvent } from "../domain/broadcast.ts";

/** One broadcast as a channel composes it. Content events carry the publishable content. */
export interface Broadcast {
  alertId: string;
  broadcastId: string;
  event: BroadcastEvent;
  /** The alert version number; content messages carry it so a device keeps the newest. */
  version: number;
  /** The alert version (row) this broadcast publishes: its posters are the ones to attach. */
  versionId: string;
  exercise: boolean;
  /** Public origin of the app (links in messages). */
  origin: string;
  /** When the alert ends (content events), null for the retraction. */
  endsAt: string | null;
  stopReason?: string;
  /** Publishable content (the accompanying person only when authorised); absent for "stop". */
  content?: AlertContent;
  /** Issue 29: a search notice goes on fewer channels than a Child Alert (domain/kinds.ts kindCarriedOn); absent: a Child Alert. */
  kind?: AlertKind;
  /** A search notice's social networks: only at the magistrate's request. */
  socialRequested?: boolean;
}

/** What a broadcast is made of, besides its identity: read by the command that records it (or, later, from D1). */
export type BroadcastSource = Pick<Broadcast, "exercise" | "endsAt" | "content" | "kind" | "socialRequested">;

/** Every recipient has a numeric key (its row's sequence number) and its preferences. */
export interface ChannelRecipient {
  key: number;
  lang: string;
  regions: readonly string[];
  exercise: boolean;
  /** Issue 29: a partner's choice of kinds ("both": search notices too). */
  takes?: string;
  /** Issue 29: a citizen's opt-in to the search notices of their regions. */
  notices?: boolean;
}

/** The outcome of one delivery. */
export type Delivery =
  | { outcome: "sent"; receipt?: string }
  /** The recipient no longer exists at the far side (pruned). */
  | { outcome: "gone"; detail?: string }
  /** A permanent refusal: recorded, never retried, never blocks the rest. */
  | { outcome: "failed"; detail?: string }
  /** Transient: try again after this many seconds (Retry-After or backoff). */
  | { outcome: "retry"; afterS: number; detail?: string };

export interface SendContext {
  alertId: string;
  event: BroadcastEvent;
  version: number;
  /** 0 on the first pass, then 1, 2, … */
  attempt: number;
  /** The message's end (push TTL); null for the retraction. */
  endsAt: string | null;
  /** What the channel's `open` returned for this page job (e.g. an SMTP connection pool). */
  session?: unknown;
  /** Content only, with `limits.deliveryMs`: give up (retry) if not accepted by then (ms since the epoch). */
  deadline?: number;
  /** What the channel's `prepare` returned for this recipient and this version (absent when the version changed since). */
  prepared?: unknown;
}

/** A recipients table's row as the engine reads it: its sequence number, language, regions (JSON) and exercise opt-in. */
export const recipientOf = (r: { seq: number; lang: string; regions: string; exercise: boolean }): ChannelRecipient => ({
  key: r.seq,
  lang: r.lang,
  regions: JSON.parse(r.regions) as string[],
  exercise: r.exercise,
});

/** A page of recipients: a key range (planned from live recipients), or explicit keys (retries). */
export type Selection = { from: number; to: number } | { keys: number[] };

export interface Settled<R> {
  recipient: R;
  delivery: Delivery;
  /** The message this delivery carried: a retry or a page overtaken by a newer version sends the newest, not the page's own. */
  sent: { event: BroadcastEvent; version: number };
}

export interface ChannelLimits {
  /** Recipients per page job. */
  pageSize: number;
  /** Deliveries in flight per page job (Workers: at most 6 open connections per invocation). */
  concurrency: number;
  /** Attempts of a transient failure before it counts as failed. */
  maxAttempts: number;
  /** The queues this channel's page jobs are spread over (round-robin). */
  queues(env: Env): Queue[];
  /**
   * The longest one delivery may take (ms), for channels whose far side takes a while
   * to accept (an SMTP transaction). A content send starts only if it can finish inside
   * its stop-fence lease, and gets the lease's end as `ctx.deadline` to give up at. 0 or
   * absent: a send only has to start inside its lease.
   */
  deliveryMs?: number;
  /**
   * Durable Objects the fan-out's page protocol is spread over for this channel (by key
   * span: see fanout/shards.ts). One object takes about 1,000 requests/s (Cloudflare's
   * documented soft limit): a channel with a crowd of recipients needs several. Default 1.
   */
  ledgerShards?: number;
  /**
   * This channel goes first at a launch (issue 30: web push): it is planned and its first
   * page enqueued at once; the others are planned a moment later and their content pages
   * wait PUSH_HEAD_START_S behind.
   */
  leadsLaunch?: boolean;
}

export interface Channel<R extends ChannelRecipient = ChannelRecipient, M = unknown> {
  readonly name: string;
  /** The channel's name as staff read it (dashboard rows, the magistrate's summary). */
  readonly label: Record<Language, string>;
  readonly limits: ChannelLimits;
  /** Pure: the message of a broadcast in one language. JSON-safe; throws if over the channel's size limit. */
  compose(b: Broadcast, lang: Language): M;
  /**
   * Page boundaries over the live recipients (dense whatever the churn): page i is
   * [starts[i], starts[i+1]) and the last one ends at `end`. A channel whose rows carry the
   * citizens' opt-ins cuts them over those with `optIns` (domain/targeting.ts): a drill's
   * pages hold its testers, not every subscriber; `recipients` then reads the same rows.
   */
  pageStarts(env: Env, pageSize: number, optIns: OptIns): Promise<{ starts: number[]; end: number }>;
  recipients(env: Env, selection: Selection, optIns: OptIns): Promise<R[]>;
  /**
   * Optional: opened once per page job, on its first send, and closed after its last
   * (connections belong to one invocation in Workers). Handed to `send` as `ctx.session`.
   */
  open?(env: Env, page: { alertId: string; event: BroadcastEvent; version: number }): Promise<unknown>;
  close?(session: unknown): Promise<void>;
  /**
   * Optional: the slow part of a content delivery that makes nothing public by itself (a
   * social network's media upload), run before the stop-fence lease is asked, so that
   * only the step that publishes has to fit in it. Its result reaches `send` as
   * `ctx.prepared`. Must not throw.
   */
  prepare?(env: Env, to: R, message: M, ctx: SendContext): Promise<unknown>;
  send(env: Env, to: R, message: M, ctx: SendContext): Promise<Delivery>;
  /** After a page: prune gone recipients, note successes and failures, keep receipts. */
  settle?(env: Env, outcomes: Settled<R>[], page: { alertId: string; event: BroadcastEvent; version: number }): Promise<void>;
  /**
   * Optional: is the channel's far side configured in this deployment (an SMTP relay…)?
   * An unconfigured channel is skipped like a switched-off one, and the admin sees why.
   */
  configured?(env: Env): boolean;
  /** How many recipients the channel has now (a count for the admin; no identities). */
  audienceSize(env: Env): Promise<number>;
  /**
   * Optional (issue 27): the channel's far side checked now, by harmless calls that prove
   * the credentials and the way there work (nothing published). One outcome per thing
   * checked: the relay, an account, a partner's webhook.
   */
  health?(env: Env): Promise<HealthOutcome[]>;
}

/** One check of a channel's far side. `detail` says what it answered: never a secret. */
export interface HealthOutcome {
  /** What was checked within the channel: "relay", "vapid", an account's or a partner's id. */
  target: string;
  /** How staff name it. */
  label: string;
  ok: boolean;
  detail: string;
}
