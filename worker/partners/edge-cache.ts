// The public surfaces' edge cache (issue 13): a warm read is answered from the Cache API
// of the data centre, without the board or D1; a cold read builds the answer from the
// board's public record. "Is it still live" may be stale for at most PUBLIC_TTL_S
// seconds anywhere (a stop also deletes the entries of the data centre that ran it).
// Answers carry a strong ETag; If-None-Match gets a 304.
import { LANGUAGES } from "../domain/index.ts";
import { hex } from "../bytes.ts";

/** How long any data centre may answer from its cache after a stop or an update. */
export const PUBLIC_TTL_S = 5;

/** The cache key: the URL, and the reader's first supported Accept-Language (pages choose by it). */
function keyOf(req: Request): Request {
  const url = new URL(req.url);
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

function notModified(req: Request, res: Response): Response | null {
  const etag = res.headers.get("ETag");
  const asked = req.headers.get("If-None-Match");
  if (!etag || !asked) return null;
  if (!asked.split(",").some((t) => t.trim() === etag || t.trim() === "*")) return null;
  const headers = new Headers(res.headers);
  for (const h of ["Content-Length", "Content-Type", "Content-Encoding"]) headers.delete(h);
  return new Response(null, { status: 304, headers });
}

/**
 * Answers `req` from the edge cache, or builds the answer (`build`, which must read no
 * D1), stores it for PUBLIC_TTL_S seconds and answers. Only 200 and 404 are cached.
 */
export async function fromEdge(req: Request, ctx: { waitUntil(p: Promise<unknown>): void }, build: () => Promise<Response>): Promise<Response> {
  const cache = await edgeCache();
  const key = keyOf(req);
  let res = cache ? await cache.match(key) : undefined;
  if (!res) {
    const built = await build();
    const body = await built.arrayBuffer();
    const headers = new Headers(built.headers);
    if (built.status === 200 && !headers.has("ETag")) headers.set("ETag", await strongEtag(body));
    headers.set("Cache-Control", `public, max-age=${PUBLIC_TTL_S}, must-revalidate`);
    res = new Response(body, { status: built.status, headers });
    if (cache && (built.status === 200 || built.status === 404)) ctx.waitUntil(cache.put(key, res.clone()).catch(() => undefined));
  }
  // A fresh Response: the cache's own has immutable headers, and the HTML middleware adds its own.
  return notModified(req, res) ?? new Response(res.body, res);
}

/** Deletes this data centre's entries for these paths (every language variant); the others expire within PUBLIC_TTL_S. */
export async function purgeEdge(origin: string, paths: string[]): Promise<void> {
  const cache = await edgeCache();
  if (!cache) return;
  const variants = ["-", ...LANGUAGES];
  await Promise.all(
    paths.flatMap((p) =>
      variants.map((al) => {
        const url = new URL(p, origin);
        url.searchParams.set("__al", al);
        return cache.delete(new Request(url.toString(), { method: "GET" })).catch(() => false);
      }),
    ),
  );
}

async function edgeCache(): Promise<Cache | null> {
  try {
    return await caches.open("public");
  } catch {
    return null;
  }
}
