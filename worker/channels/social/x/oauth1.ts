// OAuth 1.0a request signing (RFC 5849, HMAC-SHA1), as X's API v2 takes for user-context
// calls. Only the oauth_* and query parameters are signed: our bodies are JSON or
// multipart, which RFC 5849 §3.4.1.3 leaves out.
import { b64 } from "../../../bytes.ts";

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
}

/** RFC 3986 percent-encoding (encodeURIComponent leaves !'()* alone). */
export const pct = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

export async function oauth1Signature(method: string, url: string, params: Record<string, string>, consumerSecret: string, tokenSecret: string): Promise<string> {
  const u = new URL(url);
  const all: [string, string][] = [...Object.entries(params), ...u.searchParams.entries()];
  const normal = all
    .map(([k, v]) => [pct(k), pct(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const baseUrl = `${u.protocol}//${u.host}${u.pathname}`;
  const text = `${method.toUpperCase()}&${pct(baseUrl)}&${pct(normal)}`;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(`${pct(consumerSecret)}&${pct(tokenSecret)}`), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  return b64(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text))));
}

/** The Authorization header of one request. */
export async function oauth1Header(method: string, url: string, c: OAuth1Credentials, now = Date.now()): Promise<string> {
  const params: Record<string, string> = {
    oauth_consumer_key: c.consumerKey,
    oauth_nonce: b64(crypto.getRandomValues(new Uint8Array(24))).replace(/[^A-Za-z0-9]/g, ""),
    oauth_signature_method: "HMAC-SHA1",
    oauth_timestamp: String(Math.floor(now / 1000)),
    oauth_token: c.accessToken,
    oauth_version: "1.0",
  };
  const signature = await oauth1Signature(method, url, params, c.consumerSecret, c.accessTokenSecret);
  return `OAuth ${Object.entries({ ...params, oauth_signature: signature })
    .map(([k, v]) => `${pct(k)}="${pct(v)}"`)
    .join(", ")}`;
}
