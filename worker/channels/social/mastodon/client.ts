// Mastodon's REST API (docs.joinmastodon.org): POST /api/v2/media (multipart file +
// description; 202 while processing → GET /api/v1/media/:id until its url is set), POST
// /api/v1/statuses (with Idempotency-Key: a retried post is the same status), PUT
// /api/v1/statuses/:id (edit text and media), DELETE /api/v1/statuses/:id. Auth: the
// account's access token (scopes write:statuses write:media). 429 carries
// X-RateLimit-Reset (an ISO time).
import { type Conn, failure, type PostInput, type Receipt, retryAfterHeader, SocialError, type SocialClient } from "../channel.ts";

export interface MastodonCredentials {
  accessToken: string;
}

type C = Conn<MastodonCredentials>;

const base = (c: C) => c.account.target.replace(/\/+$/, "");
const auth = (c: C) => ({ Authorization: `Bearer ${c.credentials.accessToken}` });

async function call(c: C, what: string, path: string, init: RequestInit): Promise<Response> {
  const res = await c.fetch(`${base(c)}${path}`, { ...init, headers: { ...auth(c), ...(init.headers as Record<string, string>) } });
  if (res.ok || res.status === 202 || res.status === 206) return res;
  await res.body?.cancel();
  throw failure("mastodon", what, res.status, retryAfterHeader(res.headers.get("Retry-After")) ?? retryAfterHeader(res.headers.get("X-RateLimit-Reset")));
}

async function uploadMedia(c: C, input: { message: PostInput["message"]; image: Uint8Array<ArrayBuffer> }): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([input.image], { type: "image/png" }), "poster.png");
  if (input.message.alt) form.append("description", input.message.alt);
  const res = await call(c, "media", "/api/v2/media", { method: "POST", body: form });
  let media = (await res.json()) as { id: string; url: string | null };
  // Processed asynchronously: a status may attach it only once it has a URL.
  for (let i = 0; !media.url && i < 20; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const poll = await call(c, "media", `/api/v1/media/${encodeURIComponent(media.id)}`, { method: "GET" });
    media = poll.status === 206 ? (await poll.body?.cancel(), media) : ((await poll.json()) as typeof media);
  }
  if (!media.url) throw new SocialError("mastodon media: still processing", "retry", 5);
  return media.id;
}

const statusBody = (input: PostInput, mediaId: string | null) =>
  JSON.stringify({ status: input.message.text, language: input.message.lang, visibility: "public", ...(mediaId ? { media_ids: [mediaId] } : {}) });

export const mastodonClient: SocialClient<MastodonCredentials> = {
  upload: uploadMedia,
  // GET /api/v1/accounts/verify_credentials: the token's account (any read scope).
  async verify(c) {
    const res = await call(c, "verify_credentials", "/api/v1/accounts/verify_credentials", { method: "GET" });
    const a = (await res.json()) as { acct?: string; username?: string };
    return { name: `@${a.acct ?? a.username ?? "?"}` };
  },
  async publish(c, input) {
    const mediaId = input.media as string | null;
    input.beforeCommit();
    const res = await call(c, "status", "/api/v1/statuses", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": input.idempotencyKey },
      body: statusBody(input, mediaId),
    });
    const s = (await res.json()) as { id: string; url: string | null };
    return { postId: s.id, url: s.url };
  },
  async edit(c, receipt: Receipt, input) {
    const mediaId = input.media as string | null;
    input.beforeCommit();
    const res = await call(c, "edit", `/api/v1/statuses/${encodeURIComponent(receipt.postId)}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: statusBody(input, mediaId),
    });
    const s = (await res.json()) as { id: string; url: string | null };
    return { postId: s.id, url: s.url ?? receipt.url };
  },
  async remove(c, receipt) {
    const res = await call(c, "delete", `/api/v1/statuses/${encodeURIComponent(receipt.postId)}`, { method: "DELETE" });
    await res.body?.cancel();
  },
};
