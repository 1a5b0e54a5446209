// The social networks behind the channel seam (issue 15). Each network is its own channel
// (its own queue, so a slow or failing network never delays the others), made here from
// its pure composer and its client. A recipient is one official account (per network and
// language). Content: edit the account's post where the network allows, else post the new
// version and delete the old one. Stop: delete every post of the alert, then post "found —
// thank you" (or "ended") without name or photo. Every post id is kept as a receipt until
// its deletion is confirmed; what a network refuses to delete stays listed to the operator.
import { z } from "zod";
import { backoffSeconds } from "../../config.ts";
import { makeDb } from "../../db/client.ts";
import {
  accountCount,
  accountPage,
  accountPageStarts,
  accountsBySeq,
  openPosts,
  postDeleted,
  postEdited,
  postNotDeleted,
  recordPost,
  type SocialAccountRow,
  type SocialNetwork,
  type SocialPostRow,
} from "../../db/social.ts";
import { type Language, whoIsInformed } from "../../domain/index.ts";
import { noticeStmt } from "../../db/notices.ts";
import { log } from "../../log.ts";
import { planPosters, posterOnDemand } from "../../render/poster-sets.ts";
import { recipientOf, type Broadcast, type BroadcastEvent, type Channel, type ChannelRecipient, type Delivery, type SendContext, type Settled } from "../channel.ts";
import { targetPolicy, webhookTargetRefusal } from "../webhooks/targets.ts";
import type { SocialMessage } from "./compose.ts";
import { credentialsKeySet, openCredentials } from "./credentials.ts";

export interface SocialAccount extends ChannelRecipient {
  accountId: string;
  network: SocialNetwork;
  name: string;
  target: string;
  sealed: string;
}

/** A content message also says which version's posters to attach. */
export type SocialChannelMessage = SocialMessage & { versionId: string | null; alertId: string; version: number };

/** What the network gave back for a post: its id and a link to it. */
export interface Receipt {
  postId: string;
  url: string | null;
}

/**
 * A failure as the network put it. retry: later (429, 5xx, time-out; afterS from the
 * network's own header when it gives one). refused: this request never will (4xx). gone:
 * the post or account is not there any more (a deletion of it counts as done).
 */
export class SocialError extends Error {
  readonly kind: "retry" | "refused" | "gone";
  readonly afterS?: number;
  constructor(message: string, kind: "retry" | "refused" | "gone", afterS?: number) {
    super(message);
    this.kind = kind;
    if (afterS !== undefined) this.afterS = afterS;
  }
}

/** What a client is handed for one account. */
export interface Conn<C> {
  env: Env;
  account: SocialAccount;
  credentials: C;
  /** fetch with a time-out and, for addresses an admin typed (an instance), the private-network rule. */
  fetch: typeof fetch;
  /** Per page job: what a client may keep between the sends of one page (a Bluesky session). */
  cache: Map<string, unknown>;
}

export interface PostInput {
  message: SocialChannelMessage;
  /** The poster (PNG) for content posts; null for the stop post. */
  image: Uint8Array<ArrayBuffer> | null;
  /** The poster as the network holds it after `upload` (its media id, blob, photo id); null without one. */
  media: unknown;
  /** The same for every retry of this post on this account (networks that honour one drop duplicates). */
  idempotencyKey: string;
  /** Called right before the request that makes the post public: throws once the stop fence's lease ran out. */
  beforeCommit(): void;
}

export interface SocialClient<C = unknown> {
  /**
   * Uploads the poster with its alt text, publishing nothing (an unattached media): run
   * before the stop-fence lease, so only the publishing request must fit in it. Absent:
   * the network takes the image with the post (Telegram).
   */
  upload?(conn: Conn<C>, input: { message: SocialChannelMessage; image: Uint8Array<ArrayBuffer> }): Promise<unknown>;
  /** Edits the post in place (text and image). Absent: the network cannot, and a new post replaces the old. */
  edit?(conn: Conn<C>, receipt: Receipt, input: PostInput): Promise<Receipt>;
  publish(conn: Conn<C>, input: PostInput): Promise<Receipt>;
  /** Deletes the post; a post already gone resolves too. */
  remove(conn: Conn<C>, receipt: Receipt): Promise<void>;
  /**
   * A harmless call that proves the credentials work now (issue 27: channel health), with
   * the name the network knows the account by. Publishes nothing; throws a SocialError.
   */
  verify(conn: Conn<C>): Promise<{ name: string }>;
}

export interface SocialNetworkSpec<C> {
  network: SocialNetwork;
  label: Record<Language, string>;
  /** What the admin types to add an account: where it is (`target`) and what it signs in with (the network's own names). */
  fields: { target: z.ZodType<string>; credentials: z.ZodObject };
  compose(b: Broadcast, lang: Language): SocialMessage;
  client: SocialClient<C>;
  /** The API origin for networks with one (env override for the local stand-ins); null: the account's own target. */
  apiOrigin?(env: Env): string;
}

/** A network's own queue: SOCIAL_<NETWORK> in wrangler.toml (a network without its binding fails the typecheck here). */
export function socialQueue<N extends SocialNetwork>(env: Env, network: N): Queue {
  return env[`SOCIAL_${network.toUpperCase() as Uppercase<N>}`];
}

export const SOCIAL_PAGE_SIZE = 10;
export const SOCIAL_CONCURRENCY = 4;
export const SOCIAL_MAX_ATTEMPTS = 8;
/** One request to a network (a media upload included). */
export const SOCIAL_TIMEOUT_MS = 15_000;
/** A content post (upload + post, maybe alt text) must be done inside its stop-fence lease. */
export const SOCIAL_DELIVERY_MS = 2_000;

export const toAccount = (a: SocialAccountRow): SocialAccount => ({
  ...recipientOf(a),
  accountId: a.id,
  network: a.network,
  name: a.name,
  target: a.target,
  sealed: a.credentials,
});

/** The private-network rule for addresses an admin typed (Mastodon instances, Bluesky services). */
export const socialTargetPolicy = (env: Env) => targetPolicy({ WEBHOOK_EXTRA_HOSTS: env.SOCIAL_EXTRA_HOSTS, ENVIRONMENT: env.ENVIRONMENT });

function guardedFetch(env: Env): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const refusal = webhookTargetRefusal(url, socialTargetPolicy(env));
    if (refusal) throw new SocialError(`target refused: ${refusal}`, "refused");
    try {
      return await fetch(input, { ...init, redirect: "manual", signal: init?.signal ?? AbortSignal.timeout(SOCIAL_TIMEOUT_MS) });
    } catch (err) {
      if (err instanceof SocialError) throw err;
      throw new SocialError(`network error: ${err instanceof Error ? err.name : "error"}`, "retry");
    }
  }) as typeof fetch;
}

/** Seconds from a Retry-After header (seconds or HTTP date), or null. */
export function retryAfterHeader(v: string | null, now = Date.now()): number | null {
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The usual reading of an HTTP failure: 429/5xx/408 → retry (after `afterS`), 404/410 → gone, other 4xx → refused. */
export function failure(network: string, what: string, status: number, afterS: number | null): SocialError {
  const msg = `${network} ${what}: ${status}`;
  if (status === 429 || status >= 500 || status === 408) return new SocialError(msg, "retry", afterS ?? undefined);
  if (status === 404 || status === 410) return new SocialError(msg, "gone");
  return new SocialError(msg, "refused");
}

async function posterBytes(env: Env, cache: Map<string, unknown>, m: SocialChannelMessage): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!m.poster || !m.versionId) return null;
  const key = `poster:${m.versionId}:${m.poster}:${m.lang}`;
  const hit = cache.get(key) as Promise<Uint8Array<ArrayBuffer> | null> | undefined;
  if (hit) return hit;
  const p = (async () => {
    // From R2, or rendered now if the render job has not made it yet: a post never waits for it.
    const plan = await planPosters(makeDb(env.DB), env.APP_ORIGIN, m.alertId, m.versionId!);
    return plan ? new Uint8Array((await posterOnDemand(env.MEDIA, plan, m.poster!, m.lang)).bytes) : null;
  })();
  cache.set(key, p);
  return p;
}

const asDelivery = (err: unknown, attempt: number): Delivery => {
  if (err instanceof SocialError) {
    if (err.kind === "retry") return { outcome: "retry", afterS: err.afterS ?? backoffSeconds(attempt + 1), detail: err.message };
    if (err.kind === "gone") return { outcome: "gone", detail: err.message };
    return { outcome: "failed", detail: err.message };
  }
  return { outcome: "retry", afterS: backoffSeconds(attempt + 1), detail: err instanceof Error ? err.name : "error" };
};

/** Deletes one post and records it; a failure is noted on the receipt (stuck when the network refuses for good). Returns the retry delay, if any. */
export async function deletePost<C>(env: Env, spec: SocialNetworkSpec<C>, conn: Conn<C>, p: SocialPostRow): Promise<{ ok: boolean; afterS?: number }> {
  const db = makeDb(env.DB);
  try {
    await spec.client.remove(conn, { postId: p.postId, url: p.url });
    await postDeleted(db, p.id);
    return { ok: true };
  } catch (err) {
    if (err instanceof SocialError && err.kind === "gone") {
      await postDeleted(db, p.id); // deleted by hand, or with the account
      return { ok: true };
    }
    const transient = !(err instanceof SocialError) || err.kind === "retry";
    const message = err instanceof SocialError ? err.message : `${spec.network} delete: ${err instanceof Error ? err.name : "error"}`;
    log.warn("social_delete_failed", { network: spec.network, alertId: p.alertId, detail: message });
    if (transient) await postNotDeleted(db, p.id, message, false);
    else await markStuck(env, [p], message);
    return { ok: false, ...(transient ? { afterS: err instanceof SocialError && err.afterS ? err.afterS : 0 } : {}) };
  }
}

/**
 * Posts a network will not delete (refused for good, or every retry spent): listed to the
 * operator on the alert screen, and the operator and the cell told (inbox + e-mail) once per post.
 */
export async function markStuck(env: Env, posts: SocialPostRow[], error: string | null): Promise<void> {
  if (!posts.length) return;
  const db = makeDb(env.DB);
  const now = new Date();
  await db.batch([
    ...posts.map((p) => postNotDeleted(db, p.id, error ?? p.lastError ?? "not deleted", true)),
    ...posts.map((p) => noticeStmt(db, p.alertId, "social_post_stuck", whoIsInformed("social_post_stuck"), p.id, now)),
  ] as [never, ...never[]]);
  log.error("social_post_stuck", { alertId: posts[0]!.alertId, posts: posts.length });
  await env.FANOUT.send({ type: "mail_notices", alertId: posts[0]!.alertId }).catch(() => undefined); // the cron asks again if this fails
}

/** The connection to one account (credentials opened here, never logged). */
export async function connect<C>(env: Env, spec: SocialNetworkSpec<C>, account: SocialAccount, cache: Map<string, unknown>): Promise<Conn<C>> {
  const credentials = await openCredentials<C>(env, account.accountId, account.sealed);
  // Every request, to an instance an admin typed or to a network's fixed official API, goes through the same guard.
  return { env, account, credentials, fetch: guardedFetch(env), cache };
}

/** What `prepare` hands to `send`: the uploaded poster, or why it could not be. */
type Prepared = { media: unknown; image: Uint8Array<ArrayBuffer> | null } | { failure: Delivery } | { done: true };

const alreadyHas = (open: SocialPostRow[], version: number) => open.some((p) => p.kind === "content" && p.state === "live" && p.version >= version);

async function prepareContent<C>(env: Env, spec: SocialNetworkSpec<C>, conn: Conn<C>, m: SocialChannelMessage, ctx: SendContext): Promise<Prepared> {
  // A page run again after an uncertain end: the network already has this version.
  if (alreadyHas(await openPosts(makeDb(env.DB), conn.account.accountId, ctx.alertId), ctx.version)) return { done: true };
  const image = await posterBytes(env, conn.cache, m);
  return { image, media: image && spec.client.upload ? await spec.client.upload(conn, { message: m, image }) : null };
}

async function publishContent<C>(env: Env, spec: SocialNetworkSpec<C>, conn: Conn<C>, m: SocialChannelMessage, ctx: SendContext, open: SocialPostRow[]): Promise<Delivery> {
  const db = makeDb(env.DB);
  const live = open.filter((p) => p.kind === "content" && p.state === "live");
  const newest = live.at(-1);
  if (newest && newest.version >= ctx.version) return { outcome: "sent", receipt: newest.postId };
  let prepared = ctx.prepared as Prepared | undefined;
  if (prepared && "failure" in prepared) return prepared.failure;
  // Not prepared (the lease brought a newer version, or the runner has no prepare step): upload now.
  if (!prepared || "done" in prepared) prepared = await prepareContent(env, spec, conn, m, ctx);
  if ("done" in prepared) return { outcome: "sent" };
  if ("failure" in prepared) return prepared.failure;
  const input: PostInput = {
    message: m,
    image: prepared.image,
    media: prepared.media,
    idempotencyKey: `${ctx.alertId}.v${ctx.version}.${conn.account.accountId}`,
    beforeCommit: () => {
      if (ctx.deadline && Date.now() >= ctx.deadline) throw new SocialError("stop-fence lease ran out before the post", "retry", 1);
    },
  };
  if (newest && spec.client.edit) {
    try {
      const r = await spec.client.edit(conn, { postId: newest.postId, url: newest.url }, input);
      await postEdited(db, newest.id, ctx.version);
      return { outcome: "sent", receipt: r.postId };
    } catch (err) {
      if (!(err instanceof SocialError && err.kind === "gone")) throw err;
      await postDeleted(db, newest.id); // removed by hand: post anew below
    }
  }
  const r = await spec.client.publish(conn, input);
  await recordPost(db, { accountId: conn.account.accountId, network: spec.network, alertId: ctx.alertId, version: ctx.version, kind: "content", postId: r.postId, url: r.url });
  // The older version goes (a failure stays on its receipt: the stop and the operator see it).
  for (const old of live) if (old !== newest || !spec.client.edit) await deletePost(env, spec, conn, old);
  return { outcome: "sent", receipt: r.postId };
}

async function retract<C>(env: Env, spec: SocialNetworkSpec<C>, conn: Conn<C>, m: SocialChannelMessage, ctx: SendContext, open: SocialPostRow[]): Promise<Delivery> {
  let retryAfter: number | null = null;
  // The face comes down first, then the thanks go up.
  for (const p of open.filter((x) => x.kind === "content")) {
    const d = await deletePost(env, spec, conn, p);
    if (!d.ok && d.afterS !== undefined) retryAfter = Math.max(retryAfter ?? 0, d.afterS);
  }
  if (!open.some((p) => p.kind === "stop")) {
    const r = await spec.client.publish(conn, { message: m, image: null, media: null, idempotencyKey: `${ctx.alertId}.stop.${conn.account.accountId}`, beforeCommit: () => undefined });
    await recordPost(makeDb(env.DB), { accountId: conn.account.accountId, network: spec.network, alertId: ctx.alertId, version: ctx.version, kind: "stop", postId: r.postId, url: r.url });
  }
  // Deletions that may still succeed: the page runner asks again (the stop post is not posted twice).
  if (retryAfter !== null) return { outcome: "retry", afterS: retryAfter || backoffSeconds(ctx.attempt + 1), detail: `${spec.network} delete pending` };
  return { outcome: "sent" };
}

export function socialChannel<C>(spec: SocialNetworkSpec<C>) {
  return {
    name: spec.network,
    label: spec.label,
    limits: {
      pageSize: SOCIAL_PAGE_SIZE,
      concurrency: SOCIAL_CONCURRENCY,
      maxAttempts: SOCIAL_MAX_ATTEMPTS,
      queues: (env: Env) => [socialQueue(env, spec.network)],
      deliveryMs: SOCIAL_DELIVERY_MS,
    },
    compose(b: Broadcast, lang: Language): SocialChannelMessage {
      return { ...spec.compose(b, lang), versionId: b.event === "stop" ? null : b.versionId, alertId: b.alertId, version: b.version };
    },
    pageStarts: (env: Env, pageSize: number) => accountPageStarts(makeDb(env.DB), spec.network, pageSize),
    async recipients(env: Env, sel) {
      const db = makeDb(env.DB);
      const rows = "keys" in sel ? await accountsBySeq(db, spec.network, sel.keys) : await accountPage(db, spec.network, sel.from, sel.to);
      return rows.map(toAccount);
    },
    open: async () => new Map<string, unknown>(),
    async prepare(env: Env, to: SocialAccount, m: SocialChannelMessage, ctx: SendContext): Promise<Prepared | undefined> {
      if (m.kind === "stop") return undefined;
      let conn: Conn<C>;
      try {
        conn = await connect(env, spec, to, (ctx.session as Map<string, unknown> | undefined) ?? new Map());
      } catch {
        return { failure: { outcome: "failed", detail: `${spec.network}: credentials do not open` } };
      }
      try {
        return await prepareContent(env, spec, conn, m, ctx);
      } catch (err) {
        return { failure: asDelivery(err, ctx.attempt) };
      }
    },
    async send(env: Env, to: SocialAccount, m: SocialChannelMessage, ctx: SendContext): Promise<Delivery> {
      let conn: Conn<C>;
      try {
        conn = await connect(env, spec, to, (ctx.session as Map<string, unknown> | undefined) ?? new Map());
      } catch {
        return { outcome: "failed", detail: `${spec.network}: credentials do not open` };
      }
      try {
        const open = await openPosts(makeDb(env.DB), to.accountId, ctx.alertId);
        return m.kind === "stop" ? await retract(env, spec, conn, m, ctx, open) : await publishContent(env, spec, conn, m, ctx, open);
      } catch (err) {
        return asDelivery(err, ctx.attempt);
      }
    },
    /** A retraction that spent its retries: what is still up becomes the operator's, now. */
    async settle(env: Env, outcomes: Settled<SocialAccount>[], page: { alertId: string; event: BroadcastEvent }) {
      if (page.event !== "stop") return;
      const db = makeDb(env.DB);
      for (const o of outcomes.filter((x) => x.delivery.outcome === "failed" || x.delivery.outcome === "gone")) {
        const left = (await openPosts(db, o.recipient.accountId, page.alertId)).filter((p) => p.kind === "content" && p.state === "live");
        await markStuck(env, left, null);
      }
    },
    configured: (env: Env) => credentialsKeySet(env),
    audienceSize: (env: Env) => accountCount(makeDb(env.DB), spec.network),

    /** Each active account: its credentials open, and the network's own harmless call accepts them (client.verify). */
    async health(env: Env) {
      const accounts = (await accountPage(makeDb(env.DB), spec.network, 0, Number.MAX_SAFE_INTEGER)).map(toAccount);
      return Promise.all(
        accounts.map(async (a) => {
          const base = { target: a.accountId, label: a.name };
          let conn: Conn<C>;
          try {
            conn = await connect(env, spec, a, new Map());
          } catch {
            return { ...base, ok: false, detail: "the sealed credentials do not open (SOCIAL_CREDENTIALS_KEY changed?): enter them again" };
          }
          try {
            const who = await spec.client.verify(conn);
            return { ...base, ok: true, detail: `credentials accepted as ${who.name}` };
          } catch (err) {
            return { ...base, ok: false, detail: err instanceof SocialError ? err.message : `${spec.network}: ${err instanceof Error ? err.name : "error"}` };
          }
        }),
      );
    },
  } as const satisfies Channel<SocialAccount, SocialChannelMessage>;
}
