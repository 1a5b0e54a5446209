// The partners' embeds (issue 13), issued to a registered partner (issue 24.6): /widget.js
// (one script tag with the partner's id; see partners/widget.ts) reads
// /api/v1/widget/{partner}/alerts.json, /widget/frame (the iframe variant: server-rendered,
// refreshes itself, no script) and /widget/banner.png (the no-script image). Each answers
// only on the partner's declared sites (where the browser says which site it is on:
// Origin, or Referer), follows the partner's rule-13 decision (abroad without adequate
// protection: "an alert is in progress", never the child's data) and shows exercises only
// to a partner that opted into them. All read the board's public records behind the edge
// cache (keyed by the embedding site too), and D1 only for the partner's row on a miss.
import { Hono } from "hono";
import { CATALOGUES, endsLine, HOTLINE, HOTLINE_ABROAD, HOTLINE_DIAL } from "../../templates/i18n/index.ts";
import { esc } from "../../templates/html.ts";
import { boardStub } from "../board/object.ts";
import { livePartnerById } from "../db/partners.ts";
import { LANGUAGES, type Language, mayReceivePersonalData, readIn, siteAllowed } from "../domain/index.ts";
import { AppError } from "../errors.ts";
import { type FeedPartner, partnerFeed, partnerSees } from "../partners/feeds.ts";
import { IN_PROGRESS } from "../../templates/partner-item.ts";
import { embeddingHost, PUBLIC_TTL_S } from "../partners/edge-cache.ts";
import type { PublicAlert } from "../partners/public-alert.ts";
import { WIDGET_JS } from "../partners/widget.ts";
import { posterOnDemand } from "../render/poster-sets.ts";
import { context, type AppEnv } from "./http.ts";
import { page } from "../../templates/page.ts";

export const widgetRoutes = new Hono<AppEnv>();
widgetRoutes.use("*", context);

const langOf = (q: string | undefined): Language => ((LANGUAGES as readonly string[]).includes(q ?? "") ? (q as Language) : "fr");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Issued = { feed: FeedPartner; host: string };

/**
 * The partner a widget surface is issued to, on a site it declared. Unknown or revoked:
 * E_NOT_FOUND; another site: E_WIDGET_SITE (neither is cached at the edge).
 */
async function issuedTo(c: { env: Env; req: { raw: Request }; get(k: "db"): import("../db/client.ts").Db }, partnerId: string | undefined): Promise<Issued> {
  const p = partnerId && UUID.test(partnerId) ? await livePartnerById(c.get("db"), partnerId) : undefined;
  if (!p) throw new AppError("E_NOT_FOUND", "no such partner: the widget is issued to a registered partner (data-partner)");
  const host = embeddingHost(c.req.raw);
  if (!siteAllowed(JSON.parse(p.domains) as string[], host)) throw new AppError("E_WIDGET_SITE", `this partner's widget is not issued for ${host}`);
  return { host, feed: { country: p.country, languages: JSON.parse(p.languages) as Language[], regions: JSON.parse(p.regions) as string[], exercise: p.exercise, takes: p.kinds } };
}

/** The newest live alert this partner shows, if any. */
async function shownTo(env: Env, feed: FeedPartner): Promise<PublicAlert | null> {
  return partnerSees(await boardStub(env).publicAlerts(), feed)[0] ?? null;
}

/** The widget script's data: the partner's own feed (its regions, languages, exercise choice, rule 13), for its sites only. */
widgetRoutes.get("/api/v1/widget/:partner/alerts.json", async (c) => {
  const { feed } = await issuedTo(c, c.req.param("partner"));
  const origin = c.req.header("Origin");
  const body = JSON.stringify(partnerFeed(await boardStub(c.env).publicAlerts(), c.env.APP_ORIGIN, feed));
  return c.body(body, 200, {
    "Content-Type": "application/json; charset=utf-8",
    // Only the partner's own site may read it (the browser enforces it); the edge cache keys by that site.
    ...(origin && origin !== "null" ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : {}),
    "Cross-Origin-Resource-Policy": "cross-origin",
  });
});

widgetRoutes.get("/widget.js", (c) =>
  c.body(WIDGET_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=300",
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
  }),
);

/** The iframe variant: <iframe src="…/widget/frame?partner=ID&lang=nl" title="Child Alert" width="100%" height="170"></iframe> */
widgetRoutes.get("/widget/frame", async (c) => {
  const lang = langOf(c.req.query("lang"));
  const refresh = `<meta http-equiv="refresh" content="${2 * PUBLIC_TTL_S}">`;
  const style = `<style>body{margin:0;font:600 15px/1.35 system-ui,sans-serif;color:#111;background:#fff}a{color:inherit;text-decoration:none}
.w{display:flex;gap:12px;align-items:center;padding:10px;border:3px solid #C8102E;border-radius:8px}.w.x{border-color:#FFD200}img{width:240px;max-width:40%;height:auto}
.k{display:block;color:#C8102E;font-weight:900;letter-spacing:.06em;font-size:13px}.h{display:block;font-size:19px;font-weight:800}.d{display:block;font-weight:400;color:#333}
.c{display:inline-block;margin-top:6px;padding:6px 10px;border-radius:6px;background:#111;color:#FFD200;font-weight:900}</style>`;
  const doc = (body: string) => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Child Alert</title>${refresh}${style}</head><body>${body}</body></html>`;
  const { feed } = await issuedTo(c, c.req.query("partner"));
  const rec = await shownTo(c.env, feed);
  if (!rec?.content) return c.html(doc(""));
  const l = rec.content.targeting.languages.includes(lang) ? lang : rec.content.targeting.languages[0]!;
  const cat = CATALOGUES[l];
  const page = `${c.env.APP_ORIGIN}/alert/${rec.alertId}?lang=${l}`;
  const mark = `<span class="k">CHILD ALERT${rec.exercise ? ` — ${esc(cat.exercise)}` : ""}</span>`;
  const call = rec.content.showHotline ? `<a class="c" href="tel:${HOTLINE_DIAL}" target="_top">☎ ${HOTLINE}</a> <span class="d">${esc(cat.abroad)}: ${HOTLINE_ABROAD}</span>` : "";
  const ends = rec.endsAt ? `<span class="d">${esc(endsLine(cat, rec.endsAt))}</span>` : "";
  // Rule 13: a partner abroad without adequate protection shows that an alert is in progress, and where to read it — no name, no picture.
  if (!mayReceivePersonalData(feed.country)) {
    return c.html(doc(`<div class="w${rec.exercise ? " x" : ""}" role="alert"><div><a href="${esc(page)}" target="_blank" rel="noopener">${mark}<span class="h">${esc(cat.headline)}</span><span class="d">${esc(IN_PROGRESS[l].replace(/\.$/, " →"))}</span></a>
${call}${ends}</div></div>`));
  }
  const name = readIn(rec.content, l).name;
  return c.html(
    doc(`<div class="w${rec.exercise ? " x" : ""}" role="alert"><a href="${esc(page)}" target="_blank" rel="noopener"><img src="/alert/${rec.alertId}/poster/landscape-${l}.png" alt="${esc(`CHILD ALERT: ${name}`)}"></a>
<div><a href="${esc(page)}" target="_blank" rel="noopener">${mark}<span class="h">${esc(name)}</span><span class="d">${esc(cat.headline)}</span></a>
${call}
${ends}</div></div>`),
  );
});


/** A transparent 1×1 PNG: what the no-script image shows when no alert is live. */
const NONE_PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="), (ch) => ch.charCodeAt(0));

/** The no-script variant: <img src="…/widget/banner.png?lang=nl" alt="Child Alert"> (landscape; &format=square). */
widgetRoutes.get("/widget/banner.png", async (c) => {
  const lang = langOf(c.req.query("lang"));
  const format = c.req.query("format") === "square" ? "square" : "landscape";
  const { feed } = await issuedTo(c, c.req.query("partner"));
  const rec = await shownTo(c.env, feed);
  // Rule 13: the poster carries the child's face and name — not for a partner abroad without adequate protection.
  if (!rec?.posters || !mayReceivePersonalData(feed.country)) return c.body(NONE_PNG, 200, { "Content-Type": "image/png", "Cross-Origin-Resource-Policy": "cross-origin" });
  const langs = rec.posters.content.targeting.languages;
  const { bytes } = await posterOnDemand(c.env.MEDIA, rec.posters, format, langs.includes(lang) ? lang : langs[0]!);
  return c.body(bytes, 200, { "Content-Type": "image/png", "Cross-Origin-Resource-Policy": "cross-origin" });
});

/** The partner page: the snippet (with the partner's id), the iframe and image variants, the feeds. */
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
<p>The widget is issued to registered partners: the Child Alert operators register your organisation (its country, languages, regions, the web sites it shows the alert on) and give you your partner id. The widget then answers only on the sites you declared, shows what your country may receive (outside the countries with adequate data protection: that an alert is in progress and where to read it, never the child's data), and shows exercises only if you asked for them to test your integration.</p>
<h2>The widget (recommended)</h2>
${code(`<script async src="${o}/widget.js" data-partner="YOUR-PARTNER-ID" data-lang="nl"></script>`)}
<p>Put it where the banner should appear. It renders in its own shadow root (your CSS does not reach it, its CSS does not leak), never blocks your page, and checks every 5 seconds. <code>data-lang</code>: fr, nl, de or en (default: your page's <code>lang</code>). Under a Content-Security-Policy, allow <code>script-src ${esc(o)}</code>, <code>connect-src ${esc(o)}</code> and <code>img-src ${esc(o)}</code>.</p>
<h2>Without script</h2>
${code(`<iframe src="${o}/widget/frame?partner=YOUR-PARTNER-ID&lang=nl" title="Child Alert" width="100%" height="170" style="border:0"></iframe>`)}
${code(`<a href="${o}/"><img src="${o}/widget/banner.png?partner=YOUR-PARTNER-ID&lang=nl" alt="Child Alert" width="600"></a>`)}
<p>The image is the live alert's poster (landscape; <code>&amp;format=square</code>) and a transparent pixel when there is none (or when your country may not receive the child's data).</p>
<h2>Feeds</h2>
<ul>
<li><a href="/api/v1/feeds/alerts.json">${esc(o)}/api/v1/feeds/alerts.json</a> — JSON (schema <code>LiveAlertsFeed</code> in the <a href="/api/v1/docs">API reference</a>)</li>
<li><a href="/api/v1/feeds/alerts.atom?lang=en">${esc(o)}/api/v1/feeds/alerts.atom?lang=en</a> — Atom</li>
<li><a href="/api/v1/feeds/cap.atom">${esc(o)}/api/v1/feeds/cap.atom</a> — CAP 1.2 messages (Alert, Update, Cancel)</li>
</ul>
<p>All of them: real alerts only (never an exercise), CORS for every origin, strong ETags (send <code>If-None-Match</code>), at most 5 seconds behind. Your own feed, <code>${esc(o)}/api/v1/feeds/partner.json</code> with your API key (<code>Authorization: Bearer cap_…</code>), follows your registration: your regions and languages, rule 13, and exercises if you opted into them. Webhooks (signed per Standard Webhooks: <code>alert.launched</code>, <code>alert.updated</code>, <code>alert.stopped</code>) are set up by the Child Alert operators with you.</p>
</main>`,
    ),
  );
});
