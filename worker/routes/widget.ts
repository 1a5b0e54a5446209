// The partners' embeds (issue 13): /widget.js (one script tag; see partners/widget.ts),
// /widget/frame (the iframe variant: server-rendered, refreshes itself, no script) and
// /widget/banner.png (the no-script image: the live alert's poster, or a transparent
// pixel when none). All read the board's public records, never D1, behind the edge cache.
import { Hono } from "hono";
import { CATALOGUES, endsLine, HOTLINE, HOTLINE_ABROAD, HOTLINE_DIAL } from "../../templates/i18n/index.ts";
import { esc } from "../../templates/html.ts";
import { boardStub } from "../durable/board-object.ts";
import { LANGUAGES, type Language, readIn } from "../domain/index.ts";
import { live } from "../partners/feeds.ts";
import { PUBLIC_TTL_S } from "../partners/edge-cache.ts";
import { WIDGET_JS } from "../partners/widget.ts";
import { posterOnDemand } from "../services/posters.ts";
import { context, type AppEnv } from "./http.ts";
import { page } from "./public.ts";

export const widgetRoutes = new Hono<AppEnv>();
widgetRoutes.use("*", context);

const langOf = (q: string | undefined): Language => ((LANGUAGES as readonly string[]).includes(q ?? "") ? (q as Language) : "fr");
/** The newest live alert a partner's page shows (exercises only when asked for). */
async function shown(env: Env, exercise: boolean) {
  return live(await boardStub(env).publicAlerts()).find((r) => exercise || !r.exercise) ?? null;
}

widgetRoutes.get("/widget.js", (c) =>
  c.body(WIDGET_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=300",
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
  }),
);

/** The iframe variant: <iframe src="…/widget/frame?lang=nl" title="Child Alert" width="100%" height="170"></iframe> */
widgetRoutes.get("/widget/frame", async (c) => {
  const lang = langOf(c.req.query("lang"));
  const rec = await shown(c.env, c.req.query("exercise") === "true");
  const refresh = `<meta http-equiv="refresh" content="${2 * PUBLIC_TTL_S}">`;
  const style = `<style>body{margin:0;font:600 15px/1.35 system-ui,sans-serif;color:#111;background:#fff}a{color:inherit;text-decoration:none}
.w{display:flex;gap:12px;align-items:center;padding:10px;border:3px solid #C8102E;border-radius:8px}.w.x{border-color:#FFD200}img{width:240px;max-width:40%;height:auto}
.k{display:block;color:#C8102E;font-weight:900;letter-spacing:.06em;font-size:13px}.h{display:block;font-size:19px;font-weight:800}.d{display:block;font-weight:400;color:#333}
.c{display:inline-block;margin-top:6px;padding:6px 10px;border-radius:6px;background:#111;color:#FFD200;font-weight:900}</style>`;
  const doc = (body: string) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Child Alert</title>${refresh}${style}</head><body>${body}</body></html>`;
  if (!rec?.content) return c.html(doc(""));
  const l = rec.content.targeting.languages.includes(lang) ? lang : rec.content.targeting.languages[0]!;
  const cat = CATALOGUES[l];
  const name = readIn(rec.content, l).name;
  const page = `${c.env.APP_ORIGIN}/alert/${rec.alertId}?lang=${l}`;
  return c.html(
    doc(`<div class="w${rec.exercise ? " x" : ""}" role="alert"><a href="${esc(page)}" target="_blank" rel="noopener"><img src="/alert/${rec.alertId}/poster/landscape-${l}.png" alt="${esc(`CHILD ALERT: ${name}`)}"></a>
<div><a href="${esc(page)}" target="_blank" rel="noopener"><span class="k">CHILD ALERT${rec.exercise ? ` — ${esc(cat.exercise)}` : ""}</span><span class="h">${esc(name)}</span><span class="d">${esc(cat.headline)}</span></a>
${rec.content.showHotline ? `<a class="c" href="tel:${HOTLINE_DIAL}" target="_top">☎ ${HOTLINE}</a> <span class="d">${esc(cat.abroad)}: ${HOTLINE_ABROAD}</span>` : ""}
${rec.endsAt ? `<span class="d">${esc(endsLine(cat, rec.endsAt))}</span>` : ""}</div></div>`),
  );
});

/** A transparent 1×1 PNG: what the no-script image shows when no alert is live. */
const NONE_PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="), (ch) => ch.charCodeAt(0));

/** The no-script variant: <img src="…/widget/banner.png?lang=nl" alt="Child Alert"> (landscape; &format=square). */
widgetRoutes.get("/widget/banner.png", async (c) => {
  const lang = langOf(c.req.query("lang"));
  const format = c.req.query("format") === "square" ? "square" : "landscape";
  const rec = await shown(c.env, c.req.query("exercise") === "true");
  if (!rec?.posters) return c.body(NONE_PNG, 200, { "Content-Type": "image/png", "Cross-Origin-Resource-Policy": "cross-origin" });
  const langs = rec.posters.content.targeting.languages;
  const { bytes } = await posterOnDemand(c.env.MEDIA, rec.posters, format, langs.includes(lang) ? lang : langs[0]!);
  return c.body(bytes, 200, { "Content-Type": "image/png", "Cross-Origin-Resource-Policy": "cross-origin" });
});

/** The partner page: the snippet, the iframe and image variants, a live preview (exercises shown), the feeds. */
widgetRoutes.get("/partners", (c) => {
  const o = c.env.APP_ORIGIN;
  const code = (s: string) => `<pre><code>${esc(s)}</code></pre>`;
  return c.html(
    page(
      "en",
      "Child Alert for partner sites",
      `<header>CHILD ALERT — partners</header><main>
<h1>Show Child Alerts on your site</h1>
<p>When a magistrate authorises a Child Alert, it appears on your pages within seconds, in your readers' language, and disappears when the child is found. Nothing to maintain; no cookie; nothing of your page is sent to us.</p>
<h2>The widget (recommended)</h2>
${code(`<script async src="${o}/widget.js" data-lang="nl"></script>`)}
<p>Put it where the banner should appear. It renders in its own shadow root (your CSS does not reach it, its CSS does not leak), never blocks your page, and checks every 5 seconds. <code>data-lang</code>: fr, nl, de or en (default: your page's <code>lang</code>). <code>data-exercise="true"</code> also shows exercises (marked EXERCISE) — for testing your integration. Under a Content-Security-Policy, allow <code>script-src ${esc(o)}</code>, <code>connect-src ${esc(o)}</code> and <code>img-src ${esc(o)}</code>.</p>
<h2>Without script</h2>
${code(`<iframe src="${o}/widget/frame?lang=nl" title="Child Alert" width="100%" height="170" style="border:0"></iframe>`)}
${code(`<a href="${o}/api/v1/feeds/alerts.json"><img src="${o}/widget/banner.png?lang=nl" alt="Child Alert" width="600"></a>`)}
<p>The image is the live alert's poster (landscape; <code>&amp;format=square</code>) and a transparent pixel when there is none.</p>
<h2>Live preview</h2>
<p class="muted">Shows the live alert, exercises included (nothing when none is running).</p>
<script async src="/widget.js" data-lang="en" data-exercise="true"></script>
<iframe src="/widget/frame?lang=en&amp;exercise=true" title="Child Alert (preview)" width="100%" height="170" style="border:0"></iframe>
<h2>Feeds</h2>
<ul>
<li><a href="/api/v1/feeds/alerts.json">${esc(o)}/api/v1/feeds/alerts.json</a> — JSON (schema <code>LiveAlertsFeed</code> in the <a href="/api/v1/docs">API reference</a>)</li>
<li><a href="/api/v1/feeds/alerts.atom?lang=en">${esc(o)}/api/v1/feeds/alerts.atom?lang=en</a> — Atom</li>
<li><a href="/api/v1/feeds/cap.atom">${esc(o)}/api/v1/feeds/cap.atom</a> — CAP 1.2 messages (Alert, Update, Cancel)</li>
</ul>
<p>All of them: CORS for every origin, strong ETags (send <code>If-None-Match</code>), at most 5 seconds behind. Webhooks (signed per Standard Webhooks: <code>alert.launched</code>, <code>alert.updated</code>, <code>alert.stopped</code>) are set up by the Child Alert operators with you.</p>
</main>`,
    ),
  );
});
