// A Facebook Page through the Graph API: POST /{page-id}/photos (multipart source,
// alt_text_custom, published=false) uploads the poster without publishing it, POST
// /{page-id}/feed (message, attached_media) publishes the post (the stop message
// without media), DELETE /{post-id} retracts it. Auth: the Page access token, with appsecret_proof when the
// app secret is given. A photo post cannot change its photo: a new version is a new post
// and the old one is deleted. Errors come as {error: {code, error_subcode}}: 4, 17, 32,
// 613 and 80001 are rate limits (X-Business-Use-Case-Usage says, in minutes, when to come
// back), 1 and 2 transient, 100/33 a post that no longer exists.
import { serviceOrigin } from "../../../config.ts";
import { hex } from "../../../bytes.ts";
import { type Conn, type PostInput, SocialError, type SocialClient } from "../channel.ts";

export interface FacebookCredentials {
  pageAccessToken: string;
  appSecret?: string;
}

type C = Conn<FacebookCredentials>;

export const GRAPH_VERSION = "v21.0";
export const graphOrigin = (env: Env) => serviceOrigin(env, env.FACEBOOK_GRAPH_ORIGIN, "https://graph.facebook.com");

const RATE_LIMITS = new Set([4, 17, 32, 613, 80001]);

async function authParams(c: C): Promise<Record<string, string>> {
  const out: Record<string, string> = { access_token: c.credentials.pageAccessToken };
  if (c.credentials.appSecret) {
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(c.credentials.appSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    out.appsecret_proof = hex(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(c.credentials.pageAccessToken))));
  }
  return out;
}

/** Minutes until access is regained, from the usage header (0 when unknown). */
function regainS(res: Response): number | null {
  try {
    const usage = JSON.parse(res.headers.get("X-Business-Use-Case-Usage") ?? "{}") as Record<string, { estimated_time_to_regain_access?: number }[]>;
    const mins = Math.max(0, ...Object.values(usage).flat().map((u) => u.estimated_time_to_regain_access ?? 0));
    return mins > 0 ? mins * 60 : null;
  } catch {
    return null;
  }
}

async function call(c: C, what: string, method: string, path: string, form?: FormData): Promise<Record<string, unknown>> {
  const auth = await authParams(c);
  let url = `${graphOrigin(c.env)}/${GRAPH_VERSION}${path}`;
  if (form) for (const [k, v] of Object.entries(auth)) form.append(k, v);
  else url += `${path.includes("?") ? "&" : "?"}${new URLSearchParams(auth)}`;
  const res = await c.fetch(url, { method, ...(form ? { body: form } : {}) });
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: number; error_subcode?: number } } & Record<string, unknown>;
  if (res.ok && !body.error) return body;
  const code = body.error?.code ?? 0;
  const msg = `facebook ${what}: ${res.status} (#${code})`;
  if (RATE_LIMITS.has(code) || res.status === 429) throw new SocialError(msg, "retry", regainS(res) ?? undefined);
  if (code === 1 || code === 2 || res.status >= 500) throw new SocialError(msg, "retry");
  if (code === 100 && body.error?.error_subcode === 33) throw new SocialError(msg, "gone");
  throw new SocialError(msg, "refused");
}

export const facebookClient: SocialClient<FacebookCredentials> = {
  // GET /{page-id}?fields=id,name with the Page token: valid, and for this page.
  async verify(c) {
    const page = await call(c, "page", "GET", `/${encodeURIComponent(c.account.target)}?fields=id,name`);
    if (page.id !== c.account.target) throw new SocialError("facebook page: the token is for another page", "refused");
    return { name: String(page.name ?? page.id) };
  },
  // An unpublished photo (published=false), attached to the post by /feed's attached_media.
  async upload(c, { message, image }) {
    const form = new FormData();
    form.append("source", new Blob([image], { type: "image/png" }), "poster.png");
    if (message.alt) form.append("alt_text_custom", message.alt);
    form.append("published", "false");
    const r = await call(c, "photo", "POST", `/${encodeURIComponent(c.account.target)}/photos`, form);
    return String(r.id);
  },
  async publish(c, input: PostInput) {
    const form = new FormData();
    form.append("message", input.message.text);
    if (input.media) form.append("attached_media[0]", JSON.stringify({ media_fbid: input.media }));
    input.beforeCommit();
    const r = await call(c, "post", "POST", `/${encodeURIComponent(c.account.target)}/feed`, form);
    const id = String(r.id);
    return { postId: id, url: `https://www.facebook.com/${id}` };
  },
  async remove(c, receipt) {
    const r = await call(c, "delete", "DELETE", `/${encodeURIComponent(receipt.postId)}`);
    if (r.success !== true) throw new SocialError("facebook delete: not confirmed", "retry");
  },
};
