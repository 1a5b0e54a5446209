// X's API v2 in user context, signed with OAuth 1.0a: POST /2/media/upload (multipart,
// media_category tweet_image), POST /2/media/metadata (alt text), POST /2/tweets, DELETE
// /2/tweets/:id. X has no edit through the API: a new version is a new post and the old
// one is deleted. 429 carries x-rate-limit-reset (epoch seconds).
import { serviceOrigin } from "../../../config.ts";
import { type Conn, failure, type PostInput, SocialError, type SocialClient } from "../channel.ts";
import { type OAuth1Credentials, oauth1Header } from "./oauth1.ts";

type C = Conn<OAuth1Credentials>;

export const xApiOrigin = (env: Env) => serviceOrigin(env, env.X_API_ORIGIN, "https://api.x.com");

async function call(c: C, what: string, method: string, path: string, body?: BodyInit, json = false): Promise<Response> {
  const url = `${xApiOrigin(c.env)}${path}`;
  const res = await c.fetch(url, {
    method,
    headers: { Authorization: await oauth1Header(method, url, c.credentials), ...(json ? { "Content-Type": "application/json" } : {}) },
    ...(body ? { body } : {}),
  });
  if (res.ok) return res;
  await res.body?.cancel();
  const reset = res.headers.get("x-rate-limit-reset");
  throw failure("x", what, res.status, reset ? Math.max(1, Number(reset) - Math.floor(Date.now() / 1000)) : null);
}

export const xClient: SocialClient<OAuth1Credentials> = {
  // GET /2/users/me: the user the access token acts for.
  async verify(c) {
    const me = (await (await call(c, "users/me", "GET", "/2/users/me")).json()) as { data?: { username?: string } };
    return { name: `@${me.data?.username ?? "?"}` };
  },
  async upload(c, { message, image }) {
    const form = new FormData();
    form.append("media", new Blob([image], { type: "image/png" }), "poster.png");
    form.append("media_category", "tweet_image");
    const up = (await (await call(c, "media", "POST", "/2/media/upload", form)).json()) as { data: { id: string } };
    if (message.alt) await (await call(c, "alt text", "POST", "/2/media/metadata", JSON.stringify({ id: up.data.id, metadata: { alt_text: { text: message.alt } } }), true)).body?.cancel();
    return up.data.id;
  },
  async publish(c, input: PostInput) {
    const mediaId = input.media as string | null;
    input.beforeCommit();
    const res = await call(c, "post", "POST", "/2/tweets", JSON.stringify({ text: input.message.text, ...(mediaId ? { media: { media_ids: [mediaId] } } : {}) }), true);
    const t = (await res.json()) as { data: { id: string } };
    return { postId: t.data.id, url: `https://x.com/i/web/status/${t.data.id}` };
  },
  async remove(c, receipt) {
    const res = await call(c, "delete", "DELETE", `/2/tweets/${encodeURIComponent(receipt.postId)}`);
    const r = (await res.json()) as { data?: { deleted?: boolean } };
    if (r.data?.deleted !== true) throw new SocialError("x delete: not deleted", "retry");
  },
};
