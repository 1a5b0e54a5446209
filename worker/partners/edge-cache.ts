// The public surfaces' edge cache (issue 13): a warm read is answered from the Cache API
// of the data centre before routing, without the board or D1; a cold read runs the app,
// which builds the answer from the board's public record. "Is it still live" may be stale for at most PUBLIC_TTL_S
// seconds anywhere (a stop also deletes the entries of the data centre that ran it).
// Answers carry a strong ETag; If-None-Match gets a 304.
import { LANGUAGES, REGIONS } from "../domain/index.ts";
import { hex } from "../bytes.ts";

/** How long any data centre may answer from its cache after a stop or an update. */
export const PUBLIC_TTL_S = 5;

/**
 * The parameters that change a public answer, with the values that mean something; any
 * other parameter or value is left out of the key (the app treats it as absent), so that
 * made-up query strings cannot fill the cache or reach the board one by one.
 */
const KEY_PARAMS: Record<string, (v: string) => boolean> = {
  lang: (v) => (LANGUAGES as readonly string[]).includes(v),
  partner: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
  format: (v) => v === "square",
  // The public list of search notices (issue 29): its filters.
  region: (v) => (REGIONS as readonly string[]).includes(v),
  age: (v) => ["0-5", "6-11", "12-17", "18+"].includes(v),
};

/** A page without ?lang= picks its language from Accept-Language: that is part of its key. */
const byAcceptLanguage = (url: URL) => /^\/alert\/[^/]+$/.test(url.pathname) && !url.searchParams.has("lang");

/** The URL as the cache knows it: its path and its meaningful parameters, in a fixed order. */
function normalised(raw: string | URL): URL {
  const url = new URL(raw);
  const out = new URL(url.pathname, url.origin);
  for (const [name, ok] of Object.entries(KEY_PARAMS)) {
    const v = url.searchParams.get(name);
    if (v !== null && ok(v)) out.searchParams.set(name, v);
  }
  return out;
}

/** A partner's widget surfaces answer by the site the browser says it is on: part of their key. */
const byEmbeddingSite = (url: URL) => url.pathname.startsWith("/widget/") || url.pathname.startsWith("/api/v1/widget/");

/** The host of the page the browser says a request comes from (Origin, else Referer), "" when it says nothing. */
export function embeddingHost(req: Request): string {
  for (const h of [req.headers.get("Origin"), req.headers.get("Referer")]) {
    if (!h || h === "null") continue;
    try {
      return new URL(h).hostname.toLowerCase();
    } catch {
      return "?";
    }
  }
  return "";
}

/** The cache key: the normalised URL, and for a page that chooses by it, the reader's first supported Accept-Language. */
function keyOf(req: Request): Request {
  const url = normalised(req.url);
  if (byEmbeddingSite(url)) url.searchParams.set("__h", embeddingHost(req) || "-");
  if (!byAcceptLanguage(url)) return new Request(url.toString(), { method: "GET" });
  const accept = (req.headers.get("Accept-Language") ?? "")
    .split(",")
    .map((p) => p.trim().slice(0, 2).toLowerCase())
    .find((l) => (LANGUAGES as readonly string[]).includes(l));
  url.searchParams.set("__al", accept ?? "-");
  return new Request(url.toString(), { method: "GET" });
}

export async function strongEtag(body: ArrayBuffer | string): Promise<string> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return `"${hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))).slice(0, 32)}"`;
}

/** An answer built for one caller (not cached): with its strong ETag, or a 304 if the caller has it. */
export async function withEtag(req: Request, body: string, headers: Record<string, string>): Promise<Response> {
  const res = new Response(body, { headers: { ...headers, ETag: await strongEtag(body) } });
  return notModified(req, res) ?? res;
}

function notModified(req: Request, res: Response): Response | null {
  const etag = res.headers.get("ETag");
  const asked = req.headers.get("If-None-Match");
  if (!etag || !asked) return null;
  if (!asked.split(",").some((t) => t.trim() === etag || t.trim() === "*")) return null;
  const headers = new Headers(res.headers);
  for (const h of ["Content-Length", "Content-Type", "Content-Encoding"]) headers.delete(h);
  return new Response(null, { status: 304, headers });
}

/** The public surfaces the edge cache serves: the alert pages, their posters and photos, and the feeds. */
export const isEdgeCached = (path: string) =>
  /^\/alert\/[^/]+(\/(poster|photo)\/[^/]+)?$/.test(path) || path === "/notices" || path.startsWith("/api/v1/feeds/") || path.startsWith("/widget/") || path.startsWith("/api/v1/widget/");

/**
 * Wraps the Worker's fetch: a GET of a public surface is answered from the edge cache
 * before any routing or middleware runs (the warm path); a miss runs the app, whose
 * answer (200 or 404, never one that sets a cookie) is stored whole for PUBLIC_TTL_S
 * seconds. `htmlPolicy` replaces the per-response CSP of a cached page: these pages carry
 * no script, and a nonce frozen in a cache would be no nonce (the widget's frame stays framable).
 */
export function edgeCached<E>(fetch: (req: Request, env: E, ctx: ExecutionContext) => Response | Promise<Response>, htmlPolicy: (path: string, env: E) => string) {
  return async (req: Request, env: E, ctx: ExecutionContext): Promise<Response> => {
    const path = new URL(req.url).pathname;
    // A request that says who it is (a partner's API key) never shares a cached answer.
    if (req.method !== "GET" || !isEdgeCached(path) || req.headers.has("Authorization")) return fetch(req, env, ctx);
    const cache = await edgeCache();
    const key = keyOf(req);
    let res = cache ? await cache.match(key) : undefined;
    if (!res) {
      const built = await fetch(req, env, ctx);
      if ((built.status !== 200 && built.status !== 404) || built.headers.has("Set-Cookie")) return built;
      const body = await built.arrayBuffer();
      const headers = new Headers(built.headers);
      if (built.status === 200) headers.set("ETag", await strongEtag(body));
      headers.set("Cache-Control", `public, max-age=${PUBLIC_TTL_S}, must-revalidate`);
      if (headers.get("Content-Type")?.startsWith("text/html")) headers.set("Content-Security-Policy", htmlPolicy(path, env));
      res = new Response(body, { status: built.status, headers });
      if (cache) ctx.waitUntil(cache.put(key, res.clone()).catch(() => undefined));
    }
    // A fresh Response: the cache's own has immutable headers.
    return notModified(req, res) ?? new Response(res.body, res);
  };
}

/** Deletes this data centre's entries for these paths (every language variant); the others expire within PUBLIC_TTL_S. */
export async function purgeEdge(origin: string, paths: string[]): Promise<void> {
  const cache = await edgeCache();
  if (!cache) return;
  const keys = paths.flatMap((p) => {
    const url = normalised(new URL(p, origin));
    if (!byAcceptLanguage(url)) return [url.toString()];
    return ["-", ...LANGUAGES].map((al) => {
      const v = new URL(url);
      v.searchParams.set("__al", al);
      return v.toString();
    });
  });
  await Promise.all(keys.map((k) => cache.delete(new Request(k, { method: "GET" })).catch(() => false)));
}

async function edgeCache(): Promise<Cache | null> {
  try {
    return await caches.open("public");
  } catch {
    return null;
  }
}
