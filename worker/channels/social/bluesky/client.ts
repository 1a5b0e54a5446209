// Bluesky through the official AT Protocol client (@atproto/api): a session from the
// account's app password (com.atproto.server.createSession, kept for the page job),
// uploadBlob for the poster, a post record with an image embed, alt text and link facets
// (createRecord), deleteRecord to retract. Bluesky cannot edit a post: a new version is a
// new post and the old one is deleted. 429 carries ratelimit-reset (epoch seconds).
import { AtpAgent } from "@atproto/api";
import { type Conn, failure, type PostInput, retryAfterHeader, SocialError, type SocialClient } from "../channel.ts";

export interface BlueskyCredentials {
  identifier: string;
  appPassword: string;
}

type C = Conn<BlueskyCredentials>;

/** An XRPC failure in our terms. */
function asSocial(err: unknown, what: string): SocialError {
  if (err instanceof SocialError) return err;
  const e = err as { status?: number; error?: string; message?: string; headers?: Record<string, string> };
  if (typeof e?.status !== "number" || e.status < 100) return new SocialError(`bluesky ${what}: network`, "retry");
  const reset = e.headers?.["ratelimit-reset"];
  const afterS = reset ? Math.max(1, Number(reset) - Math.floor(Date.now() / 1000)) : retryAfterHeader(e.headers?.["retry-after"] ?? null);
  // An expired session is transient: the next attempt signs in again.
  if (e.error === "ExpiredToken") return new SocialError(`bluesky ${what}: ExpiredToken`, "retry", 1);
  // deleteRecord of a missing record succeeds in the AT Protocol; a missing repo is the account gone.
  return failure("bluesky", `${what} (${e.error ?? "error"}: ${(e.message ?? "").slice(0, 80)})`, e.status, afterS);
}

async function agentOf(c: C): Promise<AtpAgent> {
  const key = `bsky:${c.account.accountId}`;
  let p = c.cache.get(key) as Promise<AtpAgent> | undefined;
  if (!p) {
    p = (async () => {
      const agent = new AtpAgent({ service: c.account.target, fetch: c.fetch });
      await agent.login({ identifier: c.credentials.identifier, password: c.credentials.appPassword });
      return agent;
    })();
    c.cache.set(key, p);
    p.catch(() => c.cache.delete(key));
  }
  try {
    return await p;
  } catch (err) {
    throw asSocial(err, "session");
  }
}

const rkeyOf = (uri: string) => uri.split("/").at(-1)!;

export const blueskyClient: SocialClient<BlueskyCredentials> = {
  // A session from the app password (com.atproto.server.createSession).
  async verify(c) {
    const agent = await agentOf(c);
    return { name: `@${agent.session?.handle ?? c.credentials.identifier}` };
  },
  async upload(c, { image }) {
    const agent = await agentOf(c);
    try {
      return (await agent.uploadBlob(image, { encoding: "image/png" })).data.blob;
    } catch (err) {
      throw asSocial(err, "blob");
    }
  },
  async publish(c, input: PostInput) {
    const agent = await agentOf(c);
    const m = input.message;
    try {
      const embed = input.media ? { $type: "app.bsky.embed.images", images: [{ alt: m.alt ?? "", image: input.media, aspectRatio: { width: 1080, height: 1080 } }] } : undefined;
      input.beforeCommit();
      const facets = (m.extra?.facets as unknown[] | undefined) ?? [];
      const r = await agent.post({ text: m.text, langs: [m.lang], ...(facets.length ? { facets: facets as never } : {}), ...(embed ? { embed: embed as never } : {}) });
      const handle = agent.session?.handle ?? c.credentials.identifier;
      return { postId: r.uri, url: `https://bsky.app/profile/${handle}/post/${rkeyOf(r.uri)}` };
    } catch (err) {
      throw asSocial(err, "post");
    }
  },
  async remove(c, receipt) {
    const agent = await agentOf(c);
    try {
      await agent.deletePost(receipt.postId);
    } catch (err) {
      throw asSocial(err, "delete");
    }
  },
};
