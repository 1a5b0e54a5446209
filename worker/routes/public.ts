// Citizen pages, server-rendered, tiny, in FR/NL/DE/EN: the public alert page (only for
// live alerts; after the stop only "found — thank you", no name, no photo), its push
// poster, and the subscribe page. No cookies, no tracking.
import { Hono } from "hono";
import { ageText, CATALOGUES, type Catalogue, endsLine, formatWhen, HOTLINE, HOTLINE_ABROAD, HOTLINE_DIAL } from "../../templates/i18n/index.ts";
import { boardStub } from "../board/object.ts";
import { type AlertContent, LANGUAGES, type Language, readIn, REGIONS } from "../domain/index.ts";
import { AGE_BANDS, noticesListed } from "../partners/feeds.ts";
import { photoKey } from "../db/media.ts";
import { posterOnDemand } from "../render/poster-sets.ts";
import { FORMAT_NAMES, type FormatName } from "../../templates/posters/model.ts";
import { esc } from "../../templates/html.ts";
import { tipFormHtml } from "./tip-form.ts";
import { langNav, page } from "../../templates/page.ts";
import { context, type AppEnv, UUID_PATH } from "./http.ts";

export const publicRoutes = new Hono<AppEnv>();
publicRoutes.use("*", context);

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function pickLang(query: string | undefined, accept: string | undefined, allowed: readonly Language[] = LANGUAGES): Language {
  if (query && allowed.includes(query as Language)) return query as Language;
  for (const part of (accept ?? "").split(",")) {
    const l = part.trim().slice(0, 2).toLowerCase() as Language;
    if (allowed.includes(l)) return l;
  }
  return allowed[0] ?? "fr";
}

/** Rule 8: 116 000 to tap, the number from abroad beside it (the line stays open after the stop). */
const hotlineBlock = (c: Catalogue) => `<a class="call" href="tel:${HOTLINE_DIAL}">${HOTLINE}</a><p class="muted">${esc(c.pageCallFree)} · ${HOTLINE_ABROAD} ${esc(c.abroad)}</p>`;

/** A search notice (issue 29) is marked as one on its page; a Child Alert as an abduction alert. */
const brandOf = (c: Catalogue, notice: boolean) => (notice ? c.noticeBrand : "CHILD ALERT");

function alertBody(c: Catalogue, content: AlertContent, lang: Language, alertId: string, exercise: boolean, endsAt: string | null, poster: string | null, tipForm: string, notice = false): string {
  const r = readIn(content, lang);
  const name = r.name;
  const rows: [string, string | undefined][] = [
    [c.lastSeen, `${formatWhen(c, content.lastSeen.at)}, ${r.place}`],
    [c.clothing, r.clothing],
    [c.description, r.description],
    [c.vehicle, r.vehicleLine],
    [c.accompanying, r.accompanying],
  ];
  return `<header class="${exercise ? "ex" : notice ? "notice" : ""}">${esc(brandOf(c, notice))}${exercise ? ` — ${esc(c.exercise)}` : ""}</header><main>
${langNav(`/alert/${alertId}`, lang)}
${exercise ? `<p><strong>${esc(c.exerciseNote)}</strong></p>` : ""}
<h1>${esc(notice ? c.noticeHeadline : c.headline)}: ${esc(name)}</h1>
${poster ? `<img class="poster" src="${esc(poster)}" alt="${esc(name)}" width="1200" height="630">` : ""}
${content.child.photos.length ? `<ul class="photos">${content.child.photos.map((h, i) => `<li><img src="/alert/${alertId}/photo/${h}.jpg" alt="${esc(`${name} — ${c.photo} ${i + 1}/${content.child.photos.length}`)}" loading="lazy"></li>`).join("")}</ul>` : ""}
${content.showHotline ? hotlineBlock(c) : ""}
<dl>${rows.filter(([, v]) => v).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>
${endsAt ? `<p class="muted">${esc(endsLine(c, endsAt))}</p>` : ""}
${tipForm}
</main>`;
}

// The alert page, its posters and photos read the board's public record (never D1); the
// edge cache in front of the app answers them when warm (partners/edge-cache.ts), so a
// stop shows within PUBLIC_TTL_S seconds everywhere.
const publicRecord = (env: Env, id: string) => boardStub(env).publicAlert(id);

publicRoutes.get(`/alert/:id{${UUID_PATH}}`, async (c) => {
  const id = c.req.param("id");
  const notFound = () => c.html(page("fr", "Child Alert", `<header>CHILD ALERT</header><main><p>${esc(CATALOGUES.fr.pageNotFound)}</p></main>`), 404);
  if (!UUID.test(id)) return notFound();
  const rec = await publicRecord(c.env, id);
  if (!rec) return notFound();
  if (rec.face !== "alert" || !rec.content) {
    const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
    const cat = CATALOGUES[lang];
    const found = rec.face === "found";
    return c.html(
      page(lang, found ? cat.foundTitle : cat.endedTitle, `<header class="${rec.exercise ? "ex" : ""}">CHILD ALERT${rec.exercise ? ` — ${esc(cat.exercise)}` : ""}</header><main>${langNav(`/alert/${id}`, lang)}
<div class="${found ? "found" : "ended"}" role="status"><h1>${esc(found ? cat.foundTitle : cat.endedTitle)}</h1><p>${esc(found ? cat.foundBody : cat.endedBody)}</p></div>
${hotlineBlock(cat)}</main>`),
    );
  }
  const content = rec.content;
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"), content.targeting.languages);
  const cat = CATALOGUES[lang];
  const name = [content.child.firstName, content.child.lastName].filter(Boolean).join(" ");
  const poster = `/alert/${id}/poster/landscape-${lang}.png`;
  // Issue 28: the signed statement of what this page shows, for anyone to check.
  const notice = rec.kind === "search_notice";
  const og = `<meta property="og:title" content="${esc(brandOf(cat, notice))}: ${esc(name)}"><meta property="og:image" content="${esc(c.env.APP_ORIGIN)}${poster}"><link rel="alternate" type="application/json" title="signed statement" href="/alert/${id}/signed.json">`;
  return c.html(page(lang, `${brandOf(cat, notice)}: ${name}`, alertBody(cat, content, lang, id, rec.exercise, rec.endsAt, poster, tipFormHtml(cat, c.env, id, lang), notice), og));
});

/**
 * Public posters of a live alert (push image, Open Graph, feeds, widget). Gone the moment
 * it stops; never a 404 while it is live: a poster the render job has not made yet is
 * rendered now.
 */
publicRoutes.get(`/alert/:id{${UUID_PATH}}/poster/:file`, async (c) => {
  const id = c.req.param("id");
  const m = new RegExp(`^(${FORMAT_NAMES.join("|")})-(${LANGUAGES.join("|")})\\.png$`).exec(c.req.param("file"));
  if (!UUID.test(id) || !m) return c.notFound();
  const rec = await publicRecord(c.env, id);
  const lang = m[2] as Language;
  if (rec?.face !== "alert" || !rec.posters || !rec.posters.content.targeting.languages.includes(lang)) return c.notFound();
  const { bytes } = await posterOnDemand(c.env.MEDIA, rec.posters, m[1] as FormatName, lang);
  return new Response(bytes, { status: 200, headers: { "Content-Type": "image/png" } });
});

/**
 * The approved photos of a live alert (rule 7: the same set everywhere), for its public
 * page. Only a photo the published version refers to; gone the moment the alert stops.
 */
publicRoutes.get(`/alert/:id{${UUID_PATH}}/photo/:file`, async (c) => {
  const id = c.req.param("id");
  const m = /^([0-9a-f]{64})\.jpg$/.exec(c.req.param("file"));
  if (!UUID.test(id) || !m) return c.notFound();
  const rec = await publicRecord(c.env, id);
  if (rec?.face !== "alert" || !rec.content?.child.photos.includes(m[1]!)) return c.notFound();
  const obj = await c.env.MEDIA.get(photoKey(id, m[1]!));
  if (!obj) return c.notFound();
  return new Response(await obj.arrayBuffer(), { status: 200, headers: { "Content-Type": "image/jpeg" } });
});

/** The preference fields of every sign-up form (push, e-mail): language, regions, exercises; for push, the search notices' opt-in (issue 29). */
export function preferenceFields(lang: Language, o: { notices?: boolean } = {}): string {
  const t = CATALOGUES[lang];
  const regionNames = t.regions as Record<string, string>;
  const regions = REGIONS.filter((r) => r !== "BE")
    .map((r) => `<label><input type="checkbox" name="region" value="${r}"> ${esc(regionNames[r] ?? r)}</label>`)
    .join("");
  return `<label>${esc(t.subLang)} <select name="lang" id="lang">${LANGUAGES.map((l) => `<option value="${l}"${l === lang ? " selected" : ""}>${l.toUpperCase()}</option>`).join("")}</select></label>
<fieldset><legend>${esc(t.subRegions)}</legend><label><input type="checkbox" name="region" value="BE" checked> <strong>${esc(t.subWholeCountry)}</strong></label>${regions}</fieldset>
<label><input type="checkbox" name="exercise" id="exercise"> ${esc(t.subExercise)}</label>${o.notices ? `
<label><input type="checkbox" name="notices" id="notices"> ${esc(t.subNotices)}</label>` : ""}`;
}

publicRoutes.get("/subscribe", (c) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  const t = CATALOGUES[lang];
  const messages = { done: t.subDone, gone: t.subGone, denied: t.subDenied, unsupported: t.subUnsupported, timeout: t.subTimeout, update: t.subUpdate, button: t.subButton };
  return c.html(
    page(
      lang,
      t.subTitle,
      `<header>CHILD ALERT</header><main>${langNav("/subscribe", lang)}
<h1>${esc(t.subTitle)}</h1><p>${esc(t.subIntro)}</p>
<form id="prefs">
${preferenceFields(lang, { notices: true })}
<button type="submit" id="subscribe">${esc(t.subButton)}</button>
<button type="button" class="secondary" id="unsubscribe" hidden>${esc(t.subUnsub)}</button>
</form><p id="status" role="status" aria-live="polite"></p>
<p class="muted">${HOTLINE} · ${HOTLINE_ABROAD} ${esc(t.abroad)}</p></main>
<script type="module" nonce="${c.get("secureHeadersNonce") ?? ""}">${subscribeScript(JSON.stringify(messages))}</script>`,
    ),
  );
});

/** The subscribe page's script: permission only on a click; subscribe raced against a timeout. */
function subscribeScript(messages: string): string {
  return `
const M = ${messages};
const status = (t) => (document.getElementById("status").textContent = t);
const form = document.getElementById("prefs");
const unsub = document.getElementById("unsubscribe");
const submit = document.getElementById("subscribe");
const prefs = () => ({
  lang: form.lang.value,
  regions: [...form.querySelectorAll("input[name=region]:checked")].map((i) => i.value),
  exercise: form.exercise.checked,
  notices: form.notices.checked,
});
const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
const post = (path, body) => fetch("/api/v1" + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
async function current() {
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return null;
  const reg = await navigator.serviceWorker.getRegistration("/");
  return reg ? reg.pushManager.getSubscription() : null;
}
async function show() {
  const sub = await current();
  if (!sub) return;
  const json = sub.toJSON();
  const res = await post("/push/subscriptions/lookup", { endpoint: json.endpoint, auth: json.keys.auth });
  if (!res.ok) return;
  const p = await res.json();
  form.lang.value = p.lang;
  for (const i of form.querySelectorAll("input[name=region]")) i.checked = p.regions.includes(i.value);
  form.exercise.checked = p.exercise;
  form.notices.checked = p.notices;
  unsub.hidden = false;
  submit.textContent = M.update;
  status(M.done);
}
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) return status(M.unsupported);
  const permission = await Notification.requestPermission();
  if (permission !== "granted") return status(M.denied);
  const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  let sub = await reg.pushManager.getSubscription();
  if (!sub) {
    const { publicKey } = await (await fetch("/api/v1/push/key")).json();
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 15000));
    try {
      sub = await Promise.race([reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(publicKey) }), timeout]);
    } catch {
      return status(M.timeout);
    }
  }
  const res = await post("/push/subscriptions", { subscription: sub.toJSON(), ...prefs() });
  if (!res.ok) return status((await res.json()).detail ?? res.statusText);
  unsub.hidden = false;
  submit.textContent = M.update;
  status(M.done);
});
unsub.addEventListener("click", async () => {
  const sub = await current();
  if (sub) {
    const json = sub.toJSON();
    await post("/push/subscriptions/delete", { endpoint: json.endpoint, auth: json.keys.auth });
    await sub.unsubscribe();
  }
  unsub.hidden = true;
  submit.textContent = M.button;
  status(M.gone);
});
show();
`;
}

/**
 * The public list of current search notices (issue 29, protocol §2.3.3.1: "l'avis de
 * recherche électronique par le site Internet"): live notices only (never an exercise),
 * searchable by region and age, each with its page and its posters to download and print.
 * Read from the board's records (never D1), cacheable at the edge.
 */
publicRoutes.get("/notices", async (c) => {
  const lang = pickLang(c.req.query("lang"), c.req.header("Accept-Language"));
  const t = CATALOGUES[lang];
  const region = REGIONS.find((r) => r === c.req.query("region")) ?? null;
  const band = Object.keys(AGE_BANDS).find((b) => b === c.req.query("age")) as keyof typeof AGE_BANDS | undefined;
  const shown = noticesListed(await boardStub(c.env).publicAlerts(), { region, band });
  const regionName = (g: string) => (t.regions as Record<string, string>)[g] ?? g;
  const option = (value: string, label: string, selected: boolean) => `<option value="${esc(value)}"${selected ? " selected" : ""}>${esc(label)}</option>`;
  const items = shown.map((r) => {
    const content = r.content!;
    const l = content.targeting.languages.includes(lang) ? lang : content.targeting.languages[0]!;
    const read = readIn(content, l);
    const age = ageText(CATALOGUES[l], content.child.age);
    return `<li class="notice-item" data-id="${r.alertId}"><a href="/alert/${r.alertId}?lang=${l}"><img src="/alert/${r.alertId}/poster/square-${l}.png" alt="" width="120" height="120" loading="lazy"><strong>${esc(read.name)}</strong>, ${esc(age)}</a>
<br><span class="muted">${esc(t.noticesSince)} ${esc(formatWhen(CATALOGUES[l], content.lastSeen.at))} — ${esc(read.place)}</span>
<br><a href="/alert/${r.alertId}/poster/print-${l}.png" download>${esc(t.noticesPoster)}</a></li>`;
  });
  return c.html(
    page(
      lang,
      t.noticesTitle,
      `<header class="notice">${esc(t.noticeBrand)}</header><main>${langNav("/notices", lang)}
<h1>${esc(t.noticesTitle)}</h1><p>${esc(t.noticesIntro)}</p>
<form method="get" action="/notices" class="filters"><input type="hidden" name="lang" value="${lang}">
<label>${esc(t.noticesRegion)} <select name="region">${option("", t.noticesAny, !region)}${REGIONS.map((g) => option(g, regionName(g), g === region)).join("")}</select></label>
<label>${esc(t.noticesAge)} <select name="age">${option("", t.noticesAny, !band)}${Object.keys(AGE_BANDS).map((b) => option(b, b, b === band)).join("")}</select></label>
<button type="submit">${esc(t.noticesFilter)}</button></form>
${items.length ? `<ul id="notices" class="notices">${items.join("")}</ul>` : `<p id="notices-none">${esc(t.noticesNone)}</p>`}
${hotlineBlock(t)}</main>`,
      `<style>.notices{list-style:none;padding:0}.notice-item{border-top:1px solid #ddd;padding:.6rem 0}.notice-item img{float:left;margin:0 .8rem .4rem 0;border:1px solid #ddd}.notice-item::after{content:"";display:block;clear:both}.filters label{display:inline-block;margin-right:1rem}</style>`,
    ),
  );
});
